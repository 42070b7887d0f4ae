"""DATA-02 [L3]: phone numbers encrypted at rest when FIELD_ENCRYPTION_KEYS is set — the
database holds a Fernet token, never the number; reading gives the number back; keys rotate;
`manage.py encrypt_fields` encrypts what was stored before and re-encrypts after a rotation;
no key lives in the repository."""

import base64
import binascii
import re
from io import StringIO
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from cases.encryption import PREFIX
from cases.forms.accounts import RegistrationForm
from cases.models import Case, CaseVersion, Unit, User
from cases.services.submission import case_submit
from tests.factories import make_complete_case, make_edition, make_member, make_unit, make_user

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


def stored(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_without_keys_the_number_is_stored_as_typed():
    user = make_user(phone=PHONE)
    assert stored("cases_user", "phone", user.pk) == PHONE


@override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A])
def test_with_a_key_the_database_holds_a_token_and_reading_gives_the_number():
    user = make_user(phone=PHONE)
    unit = make_unit(contact_phone="020-87654321")

    raw = stored("cases_user", "phone", user.pk)
    assert raw.startswith(PREFIX) and PHONE not in raw
    assert Fernet(KEY_A).decrypt(raw[len(PREFIX) :].encode()).decode() == PHONE
    assert "87654321" not in stored("cases_unit", "contact_phone", unit.pk)
    assert User.objects.get(pk=user.pk).phone == PHONE
    assert Unit.objects.values_list("contact_phone", flat=True).get(pk=unit.pk) == "020-87654321"


@override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A])
def test_two_encryptions_of_one_number_differ_and_empty_stays_empty():
    first, second, blank = make_user(phone=PHONE), make_user(phone=PHONE), make_user(phone="")
    assert stored("cases_user", "phone", first.pk) != stored("cases_user", "phone", second.pk)
    assert stored("cases_user", "phone", blank.pk) == ""
    assert User.objects.filter(phone="").count() >= 1


@override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A])
def test_a_submitted_version_keeps_the_contact_phone_encrypted_and_the_receipt_shows_it():
    unit = make_unit(verified=True)
    member = make_member(unit=unit)
    case = make_complete_case(
        edition=make_edition(),
        owner_unit=unit,
        lead_units=[unit],
        contact_phone=PHONE,
        created_by=member,
    )
    case_submit(case=case, by=member)
    version = CaseVersion.objects.get(case=case)

    raw_case = stored("cases_case", "contact_phone", case.pk)
    raw_version = stored("cases_caseversion", "data", version.pk)
    assert PHONE not in raw_case and PHONE not in str(raw_version)
    assert CaseVersion.objects.get(pk=version.pk).data["contact_phone"] == PHONE
    assert Case.objects.get(pk=case.pk).contact_phone == PHONE

    from django.test import Client

    client = Client()
    client.force_login(member)
    page = client.get(reverse("portal:case-receipt", args=[case.pk]))
    assert page.status_code == 200
    assert PHONE in page.content.decode()


def test_the_plain_length_limit_still_holds_for_forms_and_models():
    assert Case._meta.get_field("contact_phone").formfield().max_length == 40
    form = RegistrationForm(data={"phone": "1" * 41})
    form.is_valid()
    assert "phone" in form.errors
    user = make_user()
    user.phone = "1" * 41
    with pytest.raises(ValidationError) as caught:
        user.full_clean()
    assert "phone" in caught.value.error_dict


def test_a_key_rotation_reads_old_values_and_encrypt_fields_moves_them_to_the_new_key():
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]):
        user = make_user(phone=PHONE)
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        assert User.objects.get(pk=user.pk).phone == PHONE
        call_command("encrypt_fields", stdout=StringIO())
        token = stored("cases_user", "phone", user.pk)[len(PREFIX) :].encode()
        assert Fernet(KEY_B).decrypt(token).decode() == PHONE
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B]):  # the old key retired
        assert User.objects.get(pk=user.pk).phone == PHONE


def test_encrypt_fields_encrypts_what_was_stored_in_plain_text_and_check_reports_it():
    user = make_user(phone=PHONE)
    unit = make_unit(contact_phone="020-1")
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]):
        with pytest.raises(CommandError, match="not encrypted"):
            call_command("encrypt_fields", check=True, stdout=StringIO())
        call_command("encrypt_fields", stdout=StringIO())
        report = StringIO()
        call_command("encrypt_fields", check=True, stdout=report)
        assert "cases.User.phone: " in report.getvalue() and " 0 plain" in report.getvalue()
        assert stored("cases_user", "phone", user.pk).startswith(PREFIX)
        assert stored("cases_unit", "contact_phone", unit.pk).startswith(PREFIX)
        assert User.objects.get(pk=user.pk).phone == PHONE


def test_an_encrypted_value_without_its_key_is_an_error_not_a_phone_number():
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]):
        user = make_user(phone=PHONE)
    with pytest.raises(ImproperlyConfigured):
        User.objects.get(pk=user.pk)
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B]), pytest.raises(ImproperlyConfigured):
        User.objects.get(pk=user.pk)


def test_encrypt_fields_without_a_key_refuses_and_new_key_prints_a_valid_key():
    with pytest.raises(CommandError, match="FIELD_ENCRYPTION_KEYS"):
        call_command("encrypt_fields", stdout=StringIO())
    out = StringIO()
    call_command("encrypt_fields", new_key=True, stdout=out)
    Fernet(out.getvalue().strip())  # raises on an invalid key


def test_an_invalid_key_fails_the_system_check():
    from cases.encryption.checks import field_encryption_keys

    with override_settings(FIELD_ENCRYPTION_KEYS=["not-a-key"]):
        assert [e.id for e in field_encryption_keys(None)] == ["cases.E010"]
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]):
        assert field_encryption_keys(None) == []


def _is_fernet_key(text):
    try:
        return len(base64.urlsafe_b64decode(text)) == 32
    except (binascii.Error, ValueError):
        return False


def test_no_encryption_key_is_kept_in_the_repository():
    root = Path(__file__).resolve().parents[2]
    skipped = {".git", ".venv", "media", "staticfiles", "node_modules", ".pytest_cache"}
    files = [
        path.relative_to(root)
        for path in root.rglob("*")
        if path.is_file() and not skipped.intersection(path.relative_to(root).parts)
    ]
    candidate = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}=(?![A-Za-z0-9_=-])")
    found = []
    for name in files:
        path = root / name
        if path.suffix in {".mo", ".png", ".jpg", ".pdf", ".docx", ".xlsx", ".sqlite3", ".ndb"}:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
        found += [f"{name}: {m}" for m in candidate.findall(text) if _is_fernet_key(m)]
    assert found == []

"""DATA-04: `manage.py anonymise_personal_data` — contact person, phone and e-mail of cases that
won no award are anonymised PERSONAL_DATA_RETENTION_MONTHS after their edition's results were
published (dated fixtures one minute either side of the cut-off); awarded cases and published
results are kept; a dry run only counts; a second run changes nothing; the run is audited with
its counts and no existing audit row is touched (the chain still verifies)."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from cases import privacy
from cases.audit.chain import verify_chain
from cases.models import AuditEntry, Case, CaseStatus, CaseVersion, EditionStatus
from cases.services.privacy import months_before
from tests.factories import make_award, make_case, make_category, make_edition, make_tier

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 3, 2, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)
ANONYMISED = {
    "contact_name": str(privacy.ANONYMISED_NAME),
    "contact_phone": "",
    "contact_email": "",
}


def contact(case):
    case.refresh_from_db()
    return {name: getattr(case, name) for name in privacy.CONTACT_FIELDS}


def applicant_case(edition, status, **fields):
    case = make_case(
        edition=edition,
        status=status,
        contact_name="黄敏",
        contact_phone="13700001234",
        contact_email="huang@example.org",
        **fields,
    )
    CaseVersion.objects.create(
        case=case,
        number=1,
        data={
            "title": case.title,
            "contact_name": "黄敏",
            "contact_phone": "13700001234",
            "contact_email": "huang@example.org",
        },
    )
    return case


@pytest.fixture
def world(settings):
    settings.PERSONAL_DATA_RETENTION_MONTHS = 36
    cutoff = months_before(NOW, 36)
    old = make_edition(
        title="第五届", status=EditionStatus.ARCHIVED, results_published_at=cutoff - MINUTE
    )
    recent = make_edition(
        title="第六届", status=EditionStatus.PUBLISHED, results_published_at=cutoff + MINUTE
    )
    undecided = make_edition(
        title="筹备中",
        status=EditionStatus.DECIDING,
        opens_at=cutoff - 20 * MINUTE,
        closes_at=cutoff - 10 * MINUTE,
    )
    category = make_category(edition=old)
    winner = applicant_case(old, CaseStatus.AWARDED, category=category)
    make_award(case=winner, tier=make_tier(edition=old), citation="推荐语")
    return {
        "winner": winner,
        "not_awarded": applicant_case(old, CaseStatus.NOT_AWARDED),
        "rejected": applicant_case(old, CaseStatus.REJECTED),
        "recent": applicant_case(recent, CaseStatus.NOT_AWARDED),
        "undecided": applicant_case(undecided, CaseStatus.IN_REVIEW),
    }


def run(*args):
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("anonymise_personal_data", *args, stdout=out)
    return out.getvalue()


def test_dry_run_counts_and_changes_nothing(world):
    before = AuditEntry.objects.count()

    out = run("--dry-run")

    assert "due (dry run, nothing changed): 2 case(s), 2 submitted version(s)" in out
    assert contact(world["not_awarded"])["contact_phone"] == "13700001234"
    assert AuditEntry.objects.count() == before


def test_only_non_awarded_cases_past_the_retention_are_anonymised(world):
    rows_before = list(AuditEntry.objects.order_by("seq").values_list("seq", "hash"))

    out = run()

    assert "anonymised: 2 case(s), 2 submitted version(s); retention 36 months" in out
    for name in ("not_awarded", "rejected"):
        case = world[name]
        assert contact(case) == ANONYMISED
        assert case.personal_data_anonymised_at == NOW
        version = case.versions.get()
        assert {k: version.data[k] for k in privacy.CONTACT_FIELDS} == ANONYMISED
        assert version.data["title"] == case.title  # the rest of the version is kept
    for name in ("winner", "recent", "undecided"):
        assert contact(world[name])["contact_phone"] == "13700001234", name
        assert world[name].versions.get().data["contact_phone"] == "13700001234"
    # Published award results are kept.
    assert world["winner"].award.citation == "推荐语"
    # Audited with the counts; no earlier audit row changed, the chain still verifies.
    rows_after = list(AuditEntry.objects.order_by("seq").values_list("seq", "hash"))
    assert rows_after[: len(rows_before)] == rows_before
    assert len(rows_after) == len(rows_before) + 1
    entry = AuditEntry.objects.get(code=privacy.RETENTION_RUN)
    assert (entry.data["cases"], entry.data["versions"], entry.data["months"]) == (2, 2, 36)
    assert entry.actor_id is None
    checked, problems = verify_chain()
    assert problems == []


def test_a_second_run_is_a_no_op(world):
    run()
    first = Case.objects.get(pk=world["rejected"].pk).personal_data_anonymised_at
    audit_rows = AuditEntry.objects.count()

    out = run()

    assert "anonymised: 0 case(s), 0 submitted version(s)" in out
    assert Case.objects.get(pk=world["rejected"].pk).personal_data_anonymised_at == first
    assert AuditEntry.objects.count() == audit_rows


def test_the_retention_setting_and_option_move_the_cut_off(world, settings):
    settings.PERSONAL_DATA_RETENTION_MONTHS = 120
    assert "due (dry run, nothing changed): 0 case(s)" in run("--dry-run")
    assert "due (dry run, nothing changed): 3 case(s)" in run("--dry-run", "--months", "35")
    with pytest.raises(CommandError):
        run("--months", "0")


def test_an_archived_edition_without_a_publication_date_counts_from_its_deadline(settings):
    settings.PERSONAL_DATA_RETENTION_MONTHS = 36
    cutoff = months_before(NOW, 36)
    legacy = make_edition(
        title="第一届",
        status=EditionStatus.ARCHIVED,
        opens_at=cutoff - 100 * MINUTE,
        closes_at=cutoff - MINUTE,
    )
    case = applicant_case(legacy, CaseStatus.NOT_AWARDED)

    run()

    assert contact(case) == ANONYMISED


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime.datetime(2026, 5, 31, 8, tzinfo=datetime.UTC), 3, (2026, 2, 28)),
        (datetime.datetime(2028, 5, 31, 8, tzinfo=datetime.UTC), 3, (2028, 2, 29)),
        (datetime.datetime(2026, 1, 15, 8, tzinfo=datetime.UTC), 36, (2023, 1, 15)),
        (datetime.datetime(2026, 3, 1, 8, tzinfo=datetime.UTC), 14, (2025, 1, 1)),
    ],
)
def test_months_before_counts_calendar_months(moment, months, expected):
    result = months_before(moment, months)
    assert (result.year, result.month, result.day) == expected
    assert result.time() == moment.time()


def test_with_phones_encrypted_at_rest_the_anonymised_rows_hold_no_token(world, settings):
    """DATA-02 and DATA-04 together: the retention job empties the encrypted phone columns
    (the case's and the version's sealed copy) rather than leaving a token behind."""
    from cryptography.fernet import Fernet
    from django.db import connection

    from cases.encryption import PREFIX

    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    case = world["not_awarded"]
    case.save()  # re-stored encrypted
    version = case.versions.get()
    version.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM cases_case WHERE id = %s", [case.pk])
        assert cursor.fetchone()[0].startswith(PREFIX)

    run()

    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM cases_case WHERE id = %s", [case.pk])
        assert cursor.fetchone()[0] == ""
        cursor.execute("SELECT data FROM cases_caseversion WHERE id = %s", [version.pk])
        raw = cursor.fetchone()[0]
    assert "13700001234" not in str(raw) and "huang@example.org" not in str(raw)
    assert contact(case) == ANONYMISED

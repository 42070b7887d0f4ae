"""The confirmation step of a back-office import names its pending file by a signed random
token: a forged name (a path, another organiser's file) is refused and nothing is read."""

import tempfile
from pathlib import Path

import pytest
from django.urls import reverse

from cases.admin.import_storage import InvalidImportFileName, TokenMediaStorage
from cases.models import Case, Unit
from tests.cases.test_import_export import (
    UNIT_HEADERS,
    admin_confirm,
    admin_import,
    xlsx_upload,
)
from tests.factories import make_organiser

pytestmark = pytest.mark.django_db

REFUSED = "导入文件已失效或不属于本次导入,请重新上传文件。"


def preview_units(client, name="汕头市人民政府"):
    upload = xlsx_upload(UNIT_HEADERS, [[name, "党政机关", "市州", "", "", ""]])
    preview = admin_import(client, "unit", upload)
    assert preview.status_code == 200
    return preview


def confirm(client, model, **fields):
    data = {"original_file_name": "导入.xlsx", "format": "0", "resource": "0"} | fields
    return client.post(
        reverse(f"admin:cases_{model}_process_import"),
        data,
        follow=True,
        raise_request_exception=False,
    )


@pytest.fixture
def victim_file():
    """A file in the system's temporary folder, where the library's default storage reads."""
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as handle:
        handle.write("单位名称\n不应被导入的单位\n")
    path = Path(handle.name)
    yield path
    path.unlink(missing_ok=True)


@pytest.mark.parametrize("model", ["unit", "case"])
@pytest.mark.parametrize(
    "forged",
    ["../../etc/passwd", "/etc/passwd", "victim", "0123456789abcdef0123456789abcdef"],
)
def test_a_forged_file_name_is_refused_with_a_message_and_nothing_is_read(
    client, victim_file, model, forged
):
    client.force_login(make_organiser())
    name = victim_file.name if forged == "victim" else forged

    response = confirm(client, model, import_file_name=name)

    assert response.status_code == 200
    assert REFUSED in response.text
    assert response.redirect_chain[-1][0] == reverse(f"admin:cases_{model}_import")
    assert victim_file.exists()  # neither read nor deleted
    assert not Unit.objects.exists() and not Case.objects.exists()


def test_another_organisers_pending_file_is_refused(client):
    from django.test import Client

    owner, other = make_organiser(), make_organiser()
    client.force_login(owner)
    preview = preview_units(client)
    signed = preview.context["confirm_form"].initial["import_file_name"]
    intruder = Client()
    intruder.force_login(other)

    response = confirm(intruder, "unit", import_file_name=signed)

    assert REFUSED in response.text
    assert not Unit.objects.exists()
    # The owner can still confirm the import afterwards: the file was not read or removed.
    assert admin_confirm(client, "unit", preview).status_code == 200
    assert list(Unit.objects.values_list("name", flat=True)) == ["汕头市人民政府"]


def test_a_unit_import_token_is_refused_on_the_case_import(client):
    client.force_login(make_organiser())
    signed = preview_units(client).context["confirm_form"].initial["import_file_name"]

    response = confirm(client, "case", import_file_name=signed)

    assert REFUSED in response.text
    assert not Case.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("format", "7"), ("format", "x"), ("resource", "9")])
def test_a_format_or_resource_out_of_the_list_is_refused(client, field, value):
    client.force_login(make_organiser())
    preview = preview_units(client)
    signed = preview.context["confirm_form"].initial["import_file_name"]

    response = confirm(client, "unit", import_file_name=signed, **{field: value})

    assert response.status_code == 200
    assert REFUSED in response.text
    assert not Unit.objects.exists()


def test_the_pending_file_is_named_by_a_random_token_in_private_media(client, settings):
    client.force_login(make_organiser())

    preview = preview_units(client)

    [pending] = (Path(settings.MEDIA_ROOT) / "import-pending").iterdir()
    assert len(pending.name) == 32
    assert set(pending.name) <= set("0123456789abcdef")
    assert admin_confirm(client, "unit", preview).status_code == 200
    assert not pending.exists()  # removed once imported


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "ABCDEF", "a" * 31, "a" * 33, "é" * 32])
def test_the_storage_refuses_every_name_it_did_not_generate(name):
    with pytest.raises(InvalidImportFileName):
        TokenMediaStorage(name=name)

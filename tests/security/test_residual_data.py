"""DATA-05 (residual information): a deleted attachment, a case draft deleted with its files,
a replaced file version — the stored file is gone from disk once the transaction commits, and
kept when it rolls back; every private page (portal, workspace, back office, account pages,
我的个人信息, downloads) is sent with `Cache-Control: no-store` whatever its answer, the cached
public pages are not; logging out empties the session (the server side is deleted in
tests/cases/test_sessions.py, SESS-01)."""

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from cases.models import Attachment, Case, MembershipRole
from cases.services.submission import attachment_add, attachment_remove
from cases.uploads import inspect_upload
from tests.cases.test_uploads import upload
from tests.factories import (
    docx_bytes,
    make_attachment,
    make_case,
    make_category,
    make_edition,
    make_member,
    make_unit,
    pdf_bytes,
)
from tests.security.test_url_matrix import url_names
from tests.security.url_matrix_kwargs import url_kwargs
from tests.security.url_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_case():
    edition = make_edition()
    unit = make_unit(verified=True)
    member = make_member(unit=unit, role=MembershipRole.ADMIN)
    case = make_case(edition=edition, category=make_category(edition=edition), owner_unit=unit)
    return member, case


def on_disk(attachment_or_name):
    name = getattr(getattr(attachment_or_name, "file", None), "name", attachment_or_name)
    return (django_settings.MEDIA_ROOT / name).exists()


# --- Files -------------------------------------------------------------------------------
def test_a_removed_attachment_leaves_the_disk_after_commit(
    member_case, django_capture_on_commit_callbacks
):
    member, case = member_case
    attachment = make_attachment(case=case, kind="supporting")
    assert on_disk(attachment)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        attachment_remove(attachment=attachment, by=member)
    assert on_disk(attachment)  # not before the commit
    for callback in callbacks:
        callback()

    assert not on_disk(attachment)


def test_a_rolled_back_deletion_keeps_the_file(member_case, django_capture_on_commit_callbacks):
    member, case = member_case
    attachment = make_attachment(case=case, kind="supporting")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        Attachment.objects.get(pk=attachment.pk).delete()
        raise RuntimeError("rolled back")

    assert callbacks == []
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert on_disk(attachment)


def test_a_deleted_case_draft_takes_its_files_along(
    member_case, django_capture_on_commit_callbacks
):
    """The back office refuses deleting a case that has attachments (attachments are
    read-only there), so a draft goes with its files by a cascade of the ORM: the files
    follow all the same."""
    member, case = member_case
    files = [make_attachment(case=case), make_attachment(case=case, kind="supporting")]

    with django_capture_on_commit_callbacks(execute=True):
        Case.objects.filter(pk=case.pk).delete()

    assert not Attachment.objects.filter(pk__in=[f.pk for f in files]).exists()
    assert [on_disk(f) for f in files] == [False, False]


def test_a_replaced_application_form_leaves_the_disk(
    member_case, django_capture_on_commit_callbacks
):
    member, case = member_case
    old = make_attachment(case=case)

    with django_capture_on_commit_callbacks(execute=True):
        new = attachment_add(
            case=case,
            upload=inspect_upload(upload("新.docx", docx_bytes()), kind="application_form"),
            kind="application_form",
            by=member,
        )

    assert not on_disk(old)
    assert on_disk(new)


def test_a_file_replaced_in_place_leaves_the_disk(member_case, django_capture_on_commit_callbacks):
    member, case = member_case
    attachment = make_attachment(case=case)
    old_name = attachment.file.name

    with django_capture_on_commit_callbacks(execute=True):
        attachment.file.save("upload.pdf", ContentFile(pdf_bytes("第二版")), save=False)
        attachment.save()

    assert attachment.file.name != old_name
    assert not on_disk(old_name)
    assert on_disk(attachment)


def test_saving_a_row_without_changing_its_file_keeps_it(
    member_case, django_capture_on_commit_callbacks
):
    member, case = member_case
    attachment = make_attachment(case=case)

    with django_capture_on_commit_callbacks(execute=True):
        attachment.caption = "说明"
        attachment.save()
        Attachment.objects.get(pk=attachment.pk).save(update_fields=["caption"])

    assert on_disk(attachment)


# --- Cache-Control -----------------------------------------------------------------------
PRIVATE_ROLES = ("anonymous", "member", "judge", "superuser")
PUBLIC_CACHED = (
    "cases:home",
    "cases:privacy-notice",
    "results:archive",
    "results:edition-results",
    "results:case-detail",
    "results:edition-statistics",
    "content:programme-home",
    "content:article-detail",
)


def private_names():
    from cases.account_urls import urlpatterns

    accounts = {p.name for p in urlpatterns}
    return [
        name
        for name in url_names()
        if name in accounts
        or (name.split(":")[0] in ("portal", "judging") and name != "judging:publicity-list")
    ]


def test_every_private_page_is_no_store_whatever_it_answers():
    world = build_world()
    names = private_names()
    assert {"my-data", "my-data-export", "portal:attachment-download", "login"} <= set(names)
    findings = []
    for role in PRIVATE_ROLES:
        client = Client()
        if world.users[role] is not None:
            client.force_login(world.users[role])
        for name in names:
            response = client.get(reverse(name, kwargs=url_kwargs(name, world)))
            if "no-store" not in response.get("Cache-Control", ""):
                findings.append(
                    f"{name} as {role}: {response.status_code} {response.get('Cache-Control')!r}"
                )
        for url in (reverse("admin:index"), reverse("admin:cases_case_changelist")):
            response = client.get(url)
            if "no-store" not in response.get("Cache-Control", ""):
                findings.append(f"{url} as {role}: {response.get('Cache-Control')!r}")

    assert findings == []


def test_public_cached_pages_are_not_no_store():
    world = build_world()
    client = Client()
    answers = {}
    for name in PUBLIC_CACHED:
        response = client.get(reverse(name, kwargs=url_kwargs(name, world)))
        answers[name] = (response.status_code, "no-store" in response.get("Cache-Control", ""))

    assert answers == dict.fromkeys(PUBLIC_CACHED, (200, False))
    archive = client.get(reverse("results:archive"))
    assert "public" in archive["Cache-Control"] and "max-age" in archive["Cache-Control"]


# --- Logout ------------------------------------------------------------------------------
def test_logout_empties_the_session_and_the_cookie(member_case):
    member, case = member_case
    client = Client()
    client.force_login(member)
    session = client.session
    session["portal-draft"] = "未保存的内容"
    session.save()

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert "portal-draft" not in client.session
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie.value == "" and cookie["max-age"] == 0

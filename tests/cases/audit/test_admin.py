"""LOG-02 / AC-01: the auditor reads the trail with `cases.view_auditentry` alone; nobody
adds, changes or deletes a row through the admin, superusers included."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from cases.models import AuditEntry
from cases.services import audit_log
from tests.factories import make_edition, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(client):
    user = make_user(email="auditor@example.org", is_staff=True, is_superuser=False)
    user.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    client.force_login(user)
    return user


def write(count, *, by=None, code="cases.edition.test"):
    edition = make_edition()
    return [audit_log(code=code, obj=edition, by=by, data={"i": i}) for i in range(count)]


def test_auditor_reads_the_list_with_filters_and_search(client, auditor):
    acting = make_user(email="organiser@example.org")
    write(2, by=acting, code="cases.case.submitted")
    write(1, code="cases.edition.open")
    url = reverse("admin:cases_auditentry_changelist")

    listing = client.get(url)
    by_actor = client.get(url, {"actor": "organiser@example.org"})
    by_code = client.get(url, {"code": "cases.edition.open"})
    searched = client.get(url, {"q": "organiser@"})
    by_date = client.get(url, {"created_at__year": str(timezone.localdate().year)})

    assert listing.status_code == 200
    # by date: the 3 rows and the 3 of the auditor's own account (created as staff, given
    # the permission, signed in)
    assert [r.context["cl"].result_count for r in (by_actor, by_code, searched, by_date)] == [
        2,
        1,
        2,
        6,
    ]
    assert "+08:00" in listing.text
    assert "操作人" in listing.text  # the actor filter
    assert 'name="_selected_action"' not in listing.text  # no action, not even delete


def test_auditor_sees_a_row_read_only_and_cannot_change_or_delete_it(client, auditor):
    entry = write(1)[0]

    detail = client.get(reverse("admin:cases_auditentry_change", args=[entry.pk]))
    post = client.post(reverse("admin:cases_auditentry_change", args=[entry.pk]), {"code": "x"})
    delete = client.post(reverse("admin:cases_auditentry_delete", args=[entry.pk]), {"post": "yes"})

    assert detail.status_code == 200
    assert entry.hash in detail.text
    assert 'name="_save"' not in detail.text
    assert (post.status_code, delete.status_code) == (403, 403)
    assert AuditEntry.objects.get(pk=entry.pk).code == "cases.edition.test"


def test_auditor_sees_nothing_else_in_the_admin(client, auditor):
    index = client.get(reverse("admin:index"))

    assert index.status_code == 200
    assert [m["object_name"] for app in index.context["app_list"] for m in app["models"]] == [
        "AuditEntry"
    ]
    for name in ("cases_case", "cases_unit", "cases_user", "judging_award"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 403


def test_superuser_cannot_add_change_or_delete_either(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    entry = write(1)[0]

    add = client.get(reverse("admin:cases_auditentry_add"))
    delete = client.post(reverse("admin:cases_auditentry_delete", args=[entry.pk]), {"post": "yes"})

    assert (add.status_code, delete.status_code) == (403, 403)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_staff_without_the_permission_is_refused(client):
    client.force_login(make_user(is_staff=True, is_superuser=False))

    assert client.get(reverse("admin:cases_auditentry_changelist")).status_code == 403


@pytest.mark.parametrize("rows", [1, 5])
def test_list_query_count_does_not_grow(client, auditor, django_assert_num_queries, rows):
    write(rows, by=make_user())

    # session, user, permissions (user, group); filters: actor labels, codes, object types;
    # count, the page's rows; date hierarchy: first and last (the rows are of one day, so
    # no query for the days)
    with django_assert_num_queries(10):
        response = client.get(reverse("admin:cases_auditentry_changelist"))

    assert response.status_code == 200

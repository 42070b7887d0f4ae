"""The public objection form of 公示 and the organiser's handling in the admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import AuditEntry, CaseStatus, EditionStatus
from judging.models import Objection, ObjectionStatus
from judging.services.publicity import objection_submit, publicity_start
from tests.factories import (
    make_award,
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_member,
    make_organiser,
    make_tier,
    make_unit,
)

pytestmark = pytest.mark.django_db

COMPLETE = {
    "name": "王五",
    "unit_name": "某区政务服务中心",
    "phone": "13800000000",
    "email": "",
    "reason": "申报材料中的群众满意度数据与第三方调查不一致。",
}


def _edition(awards=1, status=EditionStatus.DECIDING, start_publicity=True):
    edition = make_edition(status=EditionStatus.DECIDING)
    category = make_category(edition=edition, name="社会治理")
    tier = make_tier(edition=edition, name="优秀案例")
    for i in range(awards):
        case = make_case(
            edition=edition, category=category, status=CaseStatus.IN_REVIEW, title=f"公示案例{i}"
        )
        make_award(case=case, tier=tier, order=i + 1)
    if start_publicity:
        publicity_start(
            edition=edition,
            starts_at=timezone.now() - timedelta(days=1),
            ends_at=timezone.now() + timedelta(days=6),
            by=make_organiser(),
        )
        edition.refresh_from_db()
    return edition


def _url(edition, name="judging:objection-create"):
    return reverse(name, kwargs={"programme": edition.programme.slug, "edition": edition.slug})


def test_objection_form_lists_the_provisional_awards(client):
    edition = _edition(awards=2)

    response = client.get(_url(edition))

    assert response.status_code == 200
    assert "社会治理 · 优秀案例 · 公示案例0" in response.text
    assert "社会治理 · 优秀案例 · 公示案例1" in response.text
    for label in ["真实姓名", "工作单位", "联系电话", "异议理由"]:
        assert f">{label}</label>" in response.text
    assert response.text.count("<h1>") == 1


def test_objection_form_preselects_award_from_query(client):
    edition = _edition(awards=2)
    award = edition.awards.order_by("order").last()

    response = client.get(_url(edition) + f"?award={award.pk}")

    assert f'<option value="{award.pk}" selected>' in response.text


@pytest.mark.parametrize(
    "status", [EditionStatus.DECIDING, EditionStatus.PUBLISHED, EditionStatus.DRAFT]
)
def test_objection_form_is_404_outside_publicity(client, status):
    edition = _edition(start_publicity=False)
    edition.status = status
    edition.save()

    assert client.get(_url(edition)).status_code == 404


def test_objection_form_is_404_before_publicity_starts(client):
    edition = _edition(start_publicity=False)
    publicity_start(
        edition=edition,
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=8),
        by=make_organiser(),
    )

    assert client.get(_url(edition)).status_code == 404


def test_complete_objection_is_received(client):
    edition = _edition()
    award = edition.awards.get()

    response = client.post(_url(edition), {**COMPLETE, "award": award.pk})

    assert response.status_code == 302
    assert response.url == _url(edition, "judging:objection-received")
    objection = Objection.objects.get()
    assert (objection.award, objection.name, objection.status) == (
        award,
        "王五",
        ObjectionStatus.RECEIVED,
    )
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "请填写真实姓名;匿名异议不予受理。"),
        ("name", "匿名", "请填写真实姓名;匿名异议不予受理。"),
        ("unit_name", "", "请填写工作单位;匿名异议不予受理。"),
        ("phone", "", "请填写联系电话,以便核实身份。"),
        ("phone", "电话", "请填写有效的联系电话,以便核实身份。"),
        ("reason", "", "请写明异议理由。"),
    ],
)
def test_incomplete_objection_is_refused_next_to_its_field_keeping_input(
    client, field, value, message
):
    edition = _edition()
    award = edition.awards.get()

    response = client.post(_url(edition), {**COMPLETE, "award": award.pk, field: value})

    assert response.status_code == 200
    assert Objection.objects.count() == 0
    assert f'<ul class="errorlist" id="id_{field}_error"><li>{message}</li></ul>' in response.text
    assert f'aria-describedby="id_{field}' in response.text
    assert "某区政务服务中心" in response.text or field == "unit_name"


def test_late_objection_page_says_the_window_closed_and_has_no_form(client):
    edition = _edition()
    edition.publicity_ends_at = timezone.now() - timedelta(minutes=1)
    edition.save()

    response = client.get(_url(edition))

    assert response.status_code == 200
    assert "逾期提出的异议不予受理" in response.text
    assert '<form method="post" novalidate>' not in response.text


def test_late_objection_post_is_refused_with_message(client):
    edition = _edition()
    award = edition.awards.get()
    edition.publicity_ends_at = timezone.now() - timedelta(minutes=1)
    edition.save()

    response = client.post(_url(edition), {**COMPLETE, "award": award.pk})

    assert response.status_code == 200
    assert "逾期提出的异议不予受理" in response.text
    assert Objection.objects.count() == 0


def test_objection_against_an_award_of_another_edition_is_refused(client):
    edition = _edition()
    other = _edition()

    response = client.post(_url(edition), {**COMPLETE, "award": other.awards.get().pk})

    assert response.status_code == 200
    assert 'id="id_award_error"' in response.text
    assert Objection.objects.count() == 0


@pytest.mark.parametrize("rows", [1, 5])
def test_objection_form_query_count_is_bounded(client, django_assert_num_queries, rows):
    url = _url(_edition(awards=rows))

    # edition (+ programme), awards for the select (+ case, tier, category), lead units
    with django_assert_num_queries(3):
        response = client.get(url)
    assert response.status_code == 200


# --- the provisional list ----------------------------------------------------------------
def test_publicity_list_shows_the_provisional_awards_without_citations(client):
    edition = _edition(awards=2)
    edition.awards.update(citation="尚未发布的点评", citation_status="approved")

    response = client.get(_url(edition, "judging:publicity-list"))

    assert response.status_code == 200
    assert response.text.count("<h1>") == 1
    assert "公示案例0" in response.text
    assert "公示案例1" in response.text
    assert "尚未发布的点评" not in response.text
    award = edition.awards.order_by("order").first()
    assert f"{_url(edition)}?award={award.pk}" in response.text


@pytest.mark.parametrize("status", [EditionStatus.DECIDING, EditionStatus.PUBLISHED])
def test_publicity_list_is_404_outside_publicity(client, status):
    edition = _edition(start_publicity=False)
    edition.status = status
    edition.save()

    assert client.get(_url(edition, "judging:publicity-list")).status_code == 404


def test_publicity_list_after_the_window_says_objections_are_closed(client):
    edition = _edition()
    edition.publicity_ends_at = timezone.now() - timedelta(minutes=1)
    edition.save()

    response = client.get(_url(edition, "judging:publicity-list"))

    assert "逾期提出的异议不予受理" in response.text
    assert "提出异议</a>" not in response.text


@pytest.mark.parametrize("rows", [1, 5])
def test_publicity_list_query_count_is_bounded(client, django_assert_num_queries, rows):
    url = _url(_edition(awards=rows), "judging:publicity-list")

    # edition (+ programme), awards (+ case, units, tier, category), lead units
    with django_assert_num_queries(3):
        response = client.get(url)
    assert response.status_code == 200


# --- handling in the admin -----------------------------------------------------------------
def _objection(edition):
    return objection_submit(award=edition.awards.get(), **{k: COMPLETE[k] for k in COMPLETE})


def test_organiser_records_handling_in_the_admin(client):
    objection = _objection(_edition())
    organiser = make_organiser()
    client.force_login(organiser)
    url = reverse("admin:judging_objection_change", args=[objection.pk])

    response = client.post(url, {"status": "upheld", "handling": "经核实情况属实,取消该奖项。"})

    assert response.status_code == 302
    objection.refresh_from_db()
    assert (objection.status, objection.handled_by) == ("upheld", organiser)
    assert AuditEntry.objects.get(code="judging.objection.handled").actor == organiser


def test_admin_handling_without_text_is_refused_next_to_the_field(client):
    objection = _objection(_edition())
    client.force_login(make_organiser())
    url = reverse("admin:judging_objection_change", args=[objection.pk])

    response = client.post(url, {"status": "dismissed", "handling": ""})

    assert response.status_code == 200
    assert "请填写处理情况" in response.text
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.RECEIVED


@pytest.mark.parametrize("role", ["unit_member", "judge", "anonymous"])
def test_objection_admin_is_for_organisers_only(client, role):
    objection = _objection(_edition())
    if role == "unit_member":
        client.force_login(make_member(unit=make_unit()))
    elif role == "judge":
        client.force_login(make_judge().user)

    response = client.get(reverse("admin:judging_objection_change", args=[objection.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("rows", [1, 5])
def test_objection_admin_list_query_count_is_bounded(client, django_assert_num_queries, rows):
    edition = _edition()
    for _ in range(rows):
        _objection(edition)
    client.force_login(make_organiser())

    with django_assert_num_queries(8):
        response = client.get(reverse("admin:judging_objection_changelist"))
    assert response.status_code == 200

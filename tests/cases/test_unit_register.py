"""One true register of units (issue 13): units are picked from the register, a missing unit
is requested and decided by an organiser, near-duplicate names are caught, two units merge."""

import pytest
from django.urls import reverse

from cases.models import (
    AuditEntry,
    Case,
    CaseLeadUnit,
    CaseStatus,
    Unit,
    UnitMembership,
    UnitRegistryStatus,
    UnitType,
)
from cases.services.lifecycle import DomainError
from cases.services.register import (
    DuplicateUnit,
    likely_matches,
    unit_merge,
    unit_merge_preview,
    unit_name_key,
    unit_request,
    unit_request_accept,
    unit_request_match,
    unit_request_reject,
)
from cases.services.submission import case_submit
from judging.models import Conflict, ConflictSource, Judge
from tests.cases.test_import_export import admin_import, error_lines, xlsx_upload
from tests.factories import (
    make_case,
    make_complete_case,
    make_conflict,
    make_edition,
    make_judge,
    make_member,
    make_organiser,
    make_staff_without_permissions,
    make_unit,
    make_user,
)

pytestmark = pytest.mark.django_db

REQUESTED = UnitRegistryStatus.REQUESTED


# --- Names -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("中国共产党广州市委员会", "中共广州市委"),
        ("惠州市发展和改革局", "惠州市发展和改革委员会"),
        ("广州(清远)产业园管委会", "广州（清远）产业园管委会"),
        ("广州市 公安局", "广州市公安局"),
        ("ＡＢＣ科技有限公司", "abc科技有限公司"),
    ],
)
def test_spellings_of_one_unit_share_a_key(first, second):
    assert unit_name_key(first) == unit_name_key(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [("广州市公安局", "深圳市公安局"), ("汕头市委宣传部", "汕头市委"), ("中共汕头市委", "汕头市")],
)
def test_different_units_keep_different_keys(first, second):
    assert unit_name_key(first) != unit_name_key(second)


def test_likely_matches_put_the_same_key_first_then_similar_names():
    same = make_unit(name="中共潮州市湘桥区委")
    similar = make_unit(name="中共潮州市湘桥区委办")
    make_unit(name="江门市人民政府")

    matches = likely_matches("中国共产党潮州市湘桥区委员会")

    assert [(m.unit_id, m.same_key) for m in matches] == [(same.pk, True), (similar.pk, False)]
    assert matches[0].score == 100
    assert 88 <= matches[1].score < 100


def test_rejected_units_are_not_offered_as_matches():
    make_unit(name="潮州市乡贤会", registry_status=UnitRegistryStatus.REJECTED)

    assert likely_matches("潮州市乡贤会") == []


# --- Requests --------------------------------------------------------------------------------
def test_request_creates_a_requested_unit_with_its_details_and_audit():
    requester = make_user()
    parent = make_unit(name="潮州市人民政府")

    unit = unit_request(
        name="潮州市乡贤咨询委员会",
        type=UnitType.SOCIAL_ORGANISATION,
        level="municipal",
        parent=parent,
        by=requester,
    )

    unit.refresh_from_db()
    assert unit.registry_status == REQUESTED
    assert (unit.type, unit.level, unit.parent, unit.requested_by) == (
        UnitType.SOCIAL_ORGANISATION,
        "municipal",
        parent,
        requester,
    )
    assert AuditEntry.objects.get(code="cases.unit.requested").object_id == str(unit.pk)


def test_request_for_another_spelling_of_a_registered_unit_is_refused():
    make_unit(name="中共潮州市委")

    with pytest.raises(DuplicateUnit, match="名录中已有“中共潮州市委”"):
        unit_request(name="中国共产党潮州市委员会", type=UnitType.PARTY_GOVERNMENT, by=make_user())

    assert Unit.objects.count() == 1


def test_request_with_a_similar_name_needs_the_requester_to_confirm():
    make_unit(name="潮州市乡贤咨询委员会办公室")

    with pytest.raises(DuplicateUnit) as refused:
        unit_request(
            name="潮州市乡贤咨询委员会办", type=UnitType.SOCIAL_ORGANISATION, by=make_user()
        )
    unit = unit_request(
        name="潮州市乡贤咨询委员会办",
        type=UnitType.SOCIAL_ORGANISATION,
        by=make_user(),
        confirmed_new=True,
    )

    assert [m.name for m in refused.value.matches] == ["潮州市乡贤咨询委员会办公室"]
    assert unit.registry_status == REQUESTED


def test_accept_and_reject_decide_a_request_and_only_a_request():
    organiser = make_organiser()
    accepted = make_unit(name="甲单位", registry_status=REQUESTED)
    rejected = make_unit(name="乙单位", registry_status=REQUESTED)

    unit_request_accept(unit=accepted, by=organiser)
    with pytest.raises(DomainError, match="理由"):
        unit_request_reject(unit=rejected, by=organiser, reason=" ")
    unit_request_reject(unit=rejected, by=organiser, reason="非独立法人")

    accepted.refresh_from_db()
    rejected.refresh_from_db()
    assert accepted.registry_status == UnitRegistryStatus.REGISTERED
    assert (rejected.registry_status, rejected.review_note) == ("rejected", "非独立法人")
    with pytest.raises(DomainError, match="不是待审核"):
        unit_request_accept(unit=accepted, by=organiser)


# --- The case form and submission ------------------------------------------------------------
@pytest.fixture
def portal(client):
    edition = make_edition()
    unit = make_unit(name="潮州市人民政府", verified=True)
    member = make_member(unit=unit)
    client.force_login(member)
    return edition, unit, member


def case_form_data(case, lead_units):
    return {
        "media-TOTAL_FORMS": "0",
        "media-INITIAL_FORMS": "0",
        "title": case.title,
        "lead_units": lead_units,
        "submitting_unit": "潮州市人民政府",
        "save": "1",
    }


def test_case_form_refuses_a_unit_that_is_not_in_the_register_and_creates_none(client, portal):
    edition, unit, _member = portal
    case = make_case(edition=edition, owner_unit=unit)
    units_before = Unit.objects.count()

    response = client.post(
        reverse("portal:case-update", args=[case.pk]),
        case_form_data(case, "潮州市人民政府\r\n潮州市新成立的中心"),
    )

    assert response.status_code == 200
    assert "“潮州市新成立的中心”不在单位名录中" in response.text
    assert "潮州市新成立的中心</textarea>" in response.text  # what was typed is kept
    assert reverse("portal:unit-request") in response.text
    assert Unit.objects.count() == units_before


def test_a_requested_unit_can_be_saved_in_a_draft_but_not_submitted_until_accepted(portal):
    edition, unit, member = portal
    requested = make_unit(name="潮州市乡贤咨询委员会", registry_status=REQUESTED)
    case = make_complete_case(edition=edition, owner_unit=unit)
    CaseLeadUnit.objects.create(case=case, unit=requested, order=1)

    with pytest.raises(DomainError) as refused:
        case_submit(case=case, by=member)
    unit_request_accept(unit=requested, by=make_organiser())
    case_submit(case=Case.objects.get(pk=case.pk), by=member)

    assert "“潮州市乡贤咨询委员会”的单位登记申请尚待组织方审核" in str(
        refused.value.problems["lead_units"]
    )
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


def test_portal_request_page_shows_similar_names_before_it_creates_a_unit(client, portal):
    make_unit(name="潮州市乡贤咨询委员会办公室")
    url = reverse("portal:unit-request")
    data = {"name": "潮州市乡贤咨询委员会办", "type": UnitType.SOCIAL_ORGANISATION}

    page = client.get(url)
    first = client.post(url, data)
    second = client.post(url, {**data, "confirmed_new": "on"})

    assert page.status_code == 200
    assert '<label for="id_name"' in page.text
    assert first.status_code == 200
    assert "名录中名称相近的单位" in first.text
    assert "潮州市乡贤咨询委员会办公室" in first.text
    assert second.status_code == 302
    assert Unit.objects.get(name="潮州市乡贤咨询委员会办").registry_status == REQUESTED


def test_portal_request_page_is_for_unit_members_only(client):
    client.force_login(make_user())

    assert client.get(reverse("portal:unit-request")).status_code == 404
    client.logout()
    assert client.get(reverse("portal:unit-request")).status_code == 302


# --- Merging ---------------------------------------------------------------------------------
@pytest.fixture
def two_units():
    keep = make_unit(name="惠州市发展和改革局", verified=True)
    remove = make_unit(name="惠州市发展和改革委员会")
    edition = make_edition()
    owned = make_case(edition=edition, owner_unit=remove)  # owner, submitter, lead
    both = make_case(edition=edition, owner_unit=keep, lead_units=[keep, remove])
    shared_user = make_member(unit=keep)
    UnitMembership.objects.create(unit=remove, user=shared_user)
    only_removed = make_member(unit=remove)
    judge = make_judge(affiliation=remove)
    make_conflict(judge=make_judge(), unit=remove, source=ConflictSource.DECLARED)
    child = make_unit(name="惠州市信用办", parent=remove)
    return {
        "keep": keep,
        "remove": remove,
        "owned": owned,
        "both": both,
        "shared_user": shared_user,
        "only_removed": only_removed,
        "judge": judge,
        "child": child,
    }


def test_merge_preview_counts_what_moves_and_what_is_a_duplicate(two_units):
    preview = {
        move.label: (move.moved, move.dropped)
        for move in unit_merge_preview(keep=two_units["keep"], remove=two_units["remove"])
    }

    assert preview == {
        "案例 · 申报账号所属单位": (1, 0),
        "案例 · 报送单位": (1, 0),
        "主创单位 · 单位": (1, 1),
        "单位 · 上级单位": (1, 0),
        "单位成员 · 单位": (1, 1),
        "回避 · 回避单位": (1, 0),
        "评审专家 · 所在单位": (1, 0),
    }


def test_merge_moves_everything_in_one_go_and_audits_it(two_units):
    keep, remove = two_units["keep"], two_units["remove"]
    organiser = make_organiser()

    unit_merge(keep=keep, remove=remove, by=organiser, reason="机构改革更名")

    assert not Unit.objects.filter(pk=remove.pk).exists()
    owned = Case.objects.get(pk=two_units["owned"].pk)
    assert (owned.owner_unit, owned.submitting_unit) == (keep, keep)
    assert [link.unit for link in owned.lead_unit_links.all()] == [keep]
    assert [link.unit for link in two_units["both"].lead_unit_links.all()] == [keep]
    assert set(UnitMembership.objects.filter(unit=keep).values_list("user", flat=True)) == {
        two_units["shared_user"].pk,
        two_units["only_removed"].pk,
    }
    assert Judge.objects.get(pk=two_units["judge"].pk).affiliation == keep
    assert Conflict.objects.get().unit == keep
    assert Unit.objects.get(pk=two_units["child"].pk).parent == keep
    entry = AuditEntry.objects.get(code="cases.unit.merged")
    assert entry.object_id == str(keep.pk)
    assert entry.data["removed_unit"] == {"id": remove.pk, "name": "惠州市发展和改革委员会"}
    assert entry.data["moved"]["主创单位 · 单位"] == 1
    assert entry.data["dropped_duplicates"] == {"主创单位 · 单位": 1, "单位成员 · 单位": 1}


def test_merge_needs_a_reason_and_two_different_units(two_units):
    with pytest.raises(DomainError, match="合并理由"):
        unit_merge(keep=two_units["keep"], remove=two_units["remove"], by=None, reason="")
    with pytest.raises(DomainError, match="自身"):
        unit_merge(keep=two_units["keep"], remove=two_units["keep"], by=None, reason="x")

    assert Unit.objects.filter(pk=two_units["remove"].pk).exists()


def test_matching_a_request_merges_it_into_the_registered_unit(portal):
    edition, unit, member = portal
    registered = make_unit(name="潮州市乡贤咨询委员会")
    requested = make_unit(name="潮州市乡贤咨询会", registry_status=REQUESTED)
    case = make_case(edition=edition, owner_unit=unit, lead_units=[unit, requested])

    unit_request_match(requested=requested, registered=registered, by=make_organiser())

    assert [link.unit for link in case.lead_unit_links.all()] == [unit, registered]
    assert not Unit.objects.filter(pk=requested.pk).exists()


def test_admin_merge_previews_then_merges_on_confirmation(admin_client, two_units):
    url = reverse("admin:cases_unit_merge", args=[two_units["remove"].pk])
    data = {"keep_name": "惠州市发展和改革局", "reason": "机构改革更名"}

    page = admin_client.get(url)
    preview = admin_client.post(url, data)
    still_there = Unit.objects.filter(pk=two_units["remove"].pk).exists()
    done = admin_client.post(url, {**data, "confirmed": "on"})

    assert page.status_code == 200
    assert '<label for="id_keep_name"' in page.text
    assert preview.status_code == 200
    assert "合并预览" in preview.text
    assert still_there
    assert done.status_code == 302
    assert not Unit.objects.filter(pk=two_units["remove"].pk).exists()


def test_admin_merge_is_refused_to_staff_without_unit_permissions(client, two_units):
    client.force_login(make_user(is_staff=True, is_superuser=False))

    response = client.post(
        reverse("admin:cases_unit_merge", args=[two_units["remove"].pk]),
        {"keep_name": "惠州市发展和改革局", "reason": "x", "confirmed": "on"},
    )

    assert response.status_code == 403
    assert Unit.objects.filter(pk=two_units["remove"].pk).exists()


def test_admin_unit_list_shows_likely_duplicates(admin_client):
    make_unit(name="中共潮州市委")
    make_unit(name="中国共产党潮州市委员会", registry_status=REQUESTED)

    response = admin_client.get(reverse("admin:cases_unit_changelist"))

    assert "中共潮州市委(100)" in response.text
    assert "待审核" in response.text


# --- Imports and registration ------------------------------------------------------------------
def test_unit_import_refuses_another_spelling_of_a_registered_unit(admin_client):
    make_unit(name="中共潮州市委")
    upload = xlsx_upload(
        ["单位名称", "单位类型"],
        [["江门市人民政府", "党政机关"], ["中国共产党潮州市委员会", "党政机关"]],
    )

    response = admin_import(admin_client, "unit", upload)

    assert error_lines(response) == [
        "第3行「单位名称」列:“中国共产党潮州市委员会”与名录中的“中共潮州市委”视为同一单位"
        "(写法不同)。请改用该名称;如确为两个单位,请联系系统管理员。"
    ]
    assert Unit.objects.count() == 1


def test_unit_import_refuses_two_spellings_of_one_new_unit_in_one_file(admin_client):
    upload = xlsx_upload(
        ["单位名称", "单位类型"],
        [["惠州市发展和改革局", "党政机关"], ["惠州市发展和改革委员会", "党政机关"]],
    )

    response = admin_import(admin_client, "unit", upload)

    assert error_lines(response) == [
        "第3行「单位名称」列:“惠州市发展和改革委员会”与第2行的“惠州市发展和改革局”视为同一单位"
        "(写法不同),请只保留一种写法。"
    ]
    assert Unit.objects.count() == 0


def test_registration_refuses_another_spelling_of_a_registered_unit(client):
    make_unit(name="中共潮州市委")

    response = client.post(
        reverse("register"),
        {
            "full_name": "张三",
            "email": "zhang@example.org",
            "phone": "13800000000",
            "password1": "a-long-enough-passphrase-2026",
            "password2": "a-long-enough-passphrase-2026",
            "privacy_consent": "on",
            "unit_name": "中国共产党潮州市委员会",
            "unit_type": UnitType.PARTY_GOVERNMENT,
        },
    )

    assert response.status_code == 200
    assert "名录中已有“中共潮州市委”(写法不同)" in response.text
    assert Unit.objects.count() == 1


def test_admin_reject_needs_the_change_permission_and_a_reason(client, admin_client):
    requested = make_unit(name="潮州市乡贤会", registry_status=REQUESTED)
    url = reverse("admin:cases_unit_reject", args=[requested.pk])
    client.force_login(make_staff_without_permissions())

    refused = client.post(url, {"reason": "非独立法人"})
    empty = admin_client.post(url, {"reason": ""})
    done = admin_client.post(url, {"reason": "非独立法人"})

    assert refused.status_code == 403
    assert empty.status_code == 200
    assert done.status_code == 302
    requested.refresh_from_db()
    assert (requested.registry_status, requested.review_note) == ("rejected", "非独立法人")

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cases.models import AuditEntry, CaseStatus, CaseVersion, EditionStatus, UnitRegistryStatus
from cases.services import DomainError, case_transition
from cases.services.submission import (
    CaseContent,
    MediaItem,
    SubmissionIncomplete,
    case_create,
    case_save_draft,
    case_submit,
    case_withdraw,
    submission_problems,
)
from tests.factories import (
    make_case,
    make_category,
    make_complete_case,
    make_edition,
    make_member,
    make_unit,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    return make_edition(summary_char_limit=10, body_char_limit=20)


@pytest.fixture
def unit():
    return make_unit(verified=True)


@pytest.fixture
def member(unit):
    return make_member(unit=unit, full_name="李明", phone="138")


def content(case, **overrides):
    values = {
        "title": case.title,
        "category": case.category,
        "summary": "简介",
        "background": "背景",
        "practice": "做法",
        "outcomes": "成效",
        "promotion_value": "价值",
        "contact_name": "张三",
        "contact_phone": "020",
        "contact_email": "c@example.org",
        "declaration_accepted": True,
        "lead_unit_names": [case.owner_unit.name],
        "submitting_unit_name": case.owner_unit.name,
    }
    values.update(overrides)
    return CaseContent(**values)


def test_case_create_prefills_unit_and_contact(edition, unit, member):
    category = make_category(edition=edition)

    case = case_create(edition=edition, unit=unit, by=member, title="信用惠州", category=category)

    assert case.status == CaseStatus.DRAFT
    assert case.owner_unit == unit
    assert case.submitting_unit == unit
    assert [link.unit for link in case.lead_unit_links.all()] == [unit]
    assert (case.contact_name, case.contact_phone, case.contact_email) == (
        "李明",
        "138",
        member.email,
    )


def test_case_create_refused_when_edition_closed(unit, member):
    closed = make_edition(status=EditionStatus.SCREENING)

    with pytest.raises(DomainError):
        case_create(edition=closed, unit=unit, by=member, title="晚了")


def test_save_draft_keeps_whatever_is_given_and_orders_lead_units(edition, unit, member):
    case = make_case(edition=edition, owner_unit=unit)
    existing = make_unit(name="中共潮州市委")
    make_unit(name="潮州市乡贤咨询委员会", registry_status=UnitRegistryStatus.REQUESTED)

    case_save_draft(
        case=case,
        content=content(
            case,
            summary="",
            lead_unit_names=["潮州市乡贤咨询委员会", "中共潮州市委", "中共潮州市委"],
            media=[MediaItem(url="https://example.org/a", outlet="南方日报")],
        ),
        by=member,
    )

    names = [link.unit.name for link in case.lead_unit_links.order_by("order")]
    assert names == ["潮州市乡贤咨询委员会", "中共潮州市委"]
    assert case.lead_unit_links.get(order=1).unit == existing
    assert list(case.media_coverage.values_list("outlet", flat=True)) == ["南方日报"]
    case.refresh_from_db()
    assert case.summary == ""
    assert case.status == CaseStatus.DRAFT


def test_submit_lists_every_problem_at_once(edition, member):
    unverified = make_unit(verified=False)
    make_member(unit=unverified)
    case = make_case(edition=edition, owner_unit=unverified, summary="十一个字十一个字十一个")
    case_save_draft(
        case=case,
        content=content(
            case,
            summary="十一个字十一个字十一个",  # 11 字, limit 10
            background="一" * 21,  # body 21 + the rest, limit 20
            contact_email="",
            declaration_accepted=False,
        ),
        by=member,
    )

    with pytest.raises(SubmissionIncomplete) as error:
        case_submit(case=case, by=member)

    problems = error.value.problems
    assert set(problems) == {
        "__all__",
        "category",
        "contact_email",
        "summary",
        "body",
        "application_form",
        "declaration_accepted",
    }
    assert "尚未通过组织方核验" in problems["__all__"][0]
    assert problems["summary"] == ["案例简介共 11 字,超过 10 字的上限,请删减 1 字。"]
    # body: 21 + 2 (做法) + 2 (成效) + 2 (价值) = 27 characters, 7 over
    assert problems["body"] == ["正文四个部分合计 27 字,超过 20 字的上限,请删减 7 字。"]
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT


def test_limits_count_latin_letters_and_chinese_characters_one_each(edition, unit):
    case = make_complete_case(edition=edition, owner_unit=unit, summary="AI赋能治理abcd")  # 10

    assert "summary" not in submission_problems(case)
    case.summary += "x"
    assert "summary" in submission_problems(case)


def test_submit_assigns_reference_version_and_sends_mail_on_commit(
    edition, unit, member, django_capture_on_commit_callbacks
):
    category = make_category(edition=edition, code="ZF")
    case = make_complete_case(edition=edition, owner_unit=unit, category=category)

    with django_capture_on_commit_callbacks(execute=True):
        case = case_submit(case=case, by=member)

    assert case.status == CaseStatus.SUBMITTED
    assert case.reference == f"{edition.year}-ZF-0001"
    assert case.submitted_at is not None
    assert case.versions.get().number == 1
    assert mail.outbox[0].subject == f"【申报回执】{case.reference} {case.title}"
    assert sorted(mail.outbox[0].to) == sorted([member.email, "contact@example.org"])
    assert AuditEntry.objects.filter(code="cases.case.submitted").count() == 1


def test_no_mail_when_submission_refused(edition, member, django_capture_on_commit_callbacks):
    case = make_case(edition=edition, owner_unit=make_unit(verified=True))

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(SubmissionIncomplete):
        case_submit(case=case, by=member)

    assert mail.outbox == []


def test_submit_after_deadline_is_refused(unit, member):
    edition = make_edition()
    case = make_complete_case(edition=edition, owner_unit=unit)

    with pytest.raises(DomainError) as error:
        case_submit(case=case, by=member, at=edition.closes_at)

    assert "截止" in str(error.value)
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT


def test_resubmission_keeps_every_version(edition, unit, member):
    case = make_complete_case(edition=edition, owner_unit=unit, title="第一稿")
    case = case_submit(case=case, by=member)
    reference = case.reference

    case = case_submit(case=case, by=member, content=content(case, title="第二稿"))

    assert case.reference == reference
    versions = list(CaseVersion.objects.filter(case=case).order_by("number"))
    assert [v.data["title"] for v in versions] == ["第一稿", "第二稿"]


def test_refused_resubmission_leaves_submitted_case_unchanged(edition, unit, member):
    case = make_complete_case(edition=edition, owner_unit=unit, title="已提交的名称")
    case = case_submit(case=case, by=member)

    with pytest.raises(SubmissionIncomplete):
        case_submit(case=case, by=member, content=content(case, title="新名称", summary=""))

    case.refresh_from_db()
    assert case.title == "已提交的名称"
    assert case.summary == "案例简介"
    assert case.versions.count() == 1


def test_submitted_case_cannot_be_saved_as_draft(edition, unit, member):
    case = make_complete_case(edition=edition, owner_unit=unit)
    case = case_submit(case=case, by=member)

    with pytest.raises(DomainError):
        case_save_draft(case=case, content=content(case), by=member)


def test_returned_case_can_be_resubmitted_after_deadline(unit, member):
    edition = make_edition()
    organiser = make_user(is_staff=True)
    case = make_complete_case(edition=edition, owner_unit=unit)
    case = case_submit(case=case, by=member)
    case_transition(case, CaseStatus.RETURNED, by=organiser, reason="请补充成效数据")
    after_deadline = edition.closes_at + timedelta(days=3)

    case = case_submit(case=case, by=member, at=after_deadline)

    assert case.status == CaseStatus.SUBMITTED
    assert case.versions.count() == 2


def test_withdraw_from_draft_and_submitted(edition, unit, member):
    draft = make_case(edition=edition, owner_unit=unit)
    submitted = case_submit(case=make_complete_case(edition=edition, owner_unit=unit), by=member)

    case_withdraw(case=draft, by=member, reason="不再参评")
    case_withdraw(case=submitted, by=member)

    assert draft.status == CaseStatus.WITHDRAWN
    assert draft.status_reason == "不再参评"
    assert submitted.status == CaseStatus.WITHDRAWN


def test_withdraw_refused_once_in_review(edition, unit, member):
    case = make_case(edition=edition, owner_unit=unit, status=CaseStatus.ACCEPTED)

    with pytest.raises(DomainError):
        case_withdraw(case=case, by=member)

    assert case.status == CaseStatus.ACCEPTED


def test_open_edition_without_deadline_accepts(unit, member):
    edition = make_edition(closes_at=None)
    case = make_complete_case(edition=edition, owner_unit=unit)

    case = case_submit(case=case, by=member, at=timezone.now() + timedelta(days=999))

    assert case.status == CaseStatus.SUBMITTED


def test_case_create_refused_for_a_unit_the_person_does_not_belong_to(edition, member):
    other = make_unit()

    with pytest.raises(DomainError):
        case_create(edition=edition, unit=other, by=member, title="冒名")

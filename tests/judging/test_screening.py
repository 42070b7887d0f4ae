import pytest
from django.core import mail

from cases.models import AuditEntry, CaseStatus, MembershipRole
from cases.services import DomainError
from judging.models import EntryResult, RoundEntry, ScreeningCase
from judging.services.screening import Decision, screening_decide, screening_decide_many
from tests.factories import (
    make_case,
    make_category,
    make_edition,
    make_member,
    make_organiser,
    make_round,
    make_unit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted():
    edition = make_edition(title="第六届")
    unit = make_unit(name="汕头市委宣传部")
    make_member(unit=unit, email="admin@st.example.org", role=MembershipRole.ADMIN)
    make_member(unit=unit, email="staff@st.example.org")
    make_member(unit=make_unit(), email="other@example.org")
    case = make_case(
        edition=edition,
        category=make_category(edition=edition, name="舆情引导", code="YQ"),
        owner_unit=unit,
        status=CaseStatus.SUBMITTED,
        reference="2026-YQ-0001",
        title="汕头市8·30抗涝救灾舆情管控引导战",
        contact_email="contact@st.example.org",
    )
    return case


def test_accept_moves_case_into_the_first_round_and_mails_the_unit(
    submitted, django_capture_on_commit_callbacks
):
    organiser = make_organiser()
    second = make_round(edition=submitted.edition, order=2, name="终审")
    first = make_round(edition=submitted.edition, order=1, name="初审")

    with django_capture_on_commit_callbacks(execute=True):
        screening_decide(case=submitted, decision=Decision.ACCEPT, by=organiser)

    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.ACCEPTED
    entry = RoundEntry.objects.get(case=submitted)
    assert (entry.round, entry.result) == (first, EntryResult.PENDING)
    assert not RoundEntry.objects.filter(round=second).exists()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "admin@st.example.org",
        "contact@st.example.org",
        "staff@st.example.org",
    ]
    message = mail.outbox[0]
    assert "审查通过" in message.subject
    assert "汕头市8·30抗涝救灾舆情管控引导战" in message.subject
    assert "2026-YQ-0001" in message.body
    assert "“初审”" in message.body
    assert "&" not in message.body  # plain text, not HTML-escaped
    entry = AuditEntry.objects.get(code="cases.case.accepted")
    assert entry.actor == organiser


def test_reject_needs_a_reason_and_tells_it(submitted, django_capture_on_commit_callbacks):
    organiser = make_organiser()
    with pytest.raises(DomainError, match="理由"):
        screening_decide(case=submitted, decision=Decision.REJECT, reason="  ", by=organiser)
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.SUBMITTED

    with django_capture_on_commit_callbacks(execute=True):
        screening_decide(
            case=submitted, decision=Decision.REJECT, reason="不属于本届征集范围", by=organiser
        )

    submitted.refresh_from_db()
    assert (submitted.status, submitted.status_reason) == (
        CaseStatus.REJECTED,
        "不属于本届征集范围",
    )
    assert not RoundEntry.objects.exists()
    assert len(mail.outbox) == 3
    assert "未通过审查" in mail.outbox[0].subject
    assert "理由:不属于本届征集范围" in mail.outbox[0].body


def test_return_for_revision_needs_a_reason(submitted, django_capture_on_commit_callbacks):
    organiser = make_organiser()
    with pytest.raises(DomainError):
        screening_decide(case=submitted, decision=Decision.RETURN, by=organiser)

    with django_capture_on_commit_callbacks(execute=True):
        screening_decide(
            case=submitted, decision=Decision.RETURN, reason="请补充佐证材料", by=organiser
        )

    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.RETURNED
    assert "退回修改" in mail.outbox[0].subject
    assert "请补充佐证材料" in mail.outbox[0].body
    assert "重新提交" in mail.outbox[0].body


def test_only_submitted_cases_can_be_screened(submitted, django_capture_on_commit_callbacks):
    organiser = make_organiser()
    submitted.status = CaseStatus.DRAFT
    submitted.save()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        screening_decide(case=submitted, decision=Decision.ACCEPT, by=organiser)

    assert mail.outbox == []


def test_no_mail_when_the_decision_rolls_back(submitted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        screening_decide(case=submitted, decision=Decision.ACCEPT, by=make_organiser())

    assert len(callbacks) == 1  # queued for commit, not sent inside the transaction
    assert mail.outbox == []


def test_accept_without_rounds_still_accepts(submitted):
    screening_decide(case=submitted, decision=Decision.ACCEPT, by=make_organiser())

    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.ACCEPTED
    assert not RoundEntry.objects.exists()


def test_proxy_instance_is_audited_as_the_case(submitted):
    proxy = ScreeningCase.objects.get(pk=submitted.pk)

    screening_decide(case=proxy, decision=Decision.ACCEPT, by=make_organiser())

    entry = AuditEntry.objects.get(code="cases.case.accepted")
    assert (entry.object_type, entry.object_id) == ("cases.case", str(submitted.pk))


def test_bulk_decides_each_case_and_reports_refusals(submitted):
    organiser = make_organiser()
    make_round(edition=submitted.edition, order=1)
    second = make_case(edition=submitted.edition, status=CaseStatus.SUBMITTED, reference="R-2")
    draft = make_case(edition=submitted.edition, status=CaseStatus.DRAFT, title="草稿案例")

    result = screening_decide_many(
        cases=[submitted, second, draft], decision=Decision.ACCEPT, by=organiser
    )

    assert [c.pk for c in result.done] == [submitted.pk, second.pk]
    assert [c.pk for c, _message in result.failed] == [draft.pk]
    assert "草稿案例" in result.failed[0][1]
    assert RoundEntry.objects.count() == 2

"""Confirming a proposal into Award rows, committee overrides and amendments."""

import pytest

from cases.models import AuditEntry, CaseStatus, EditionStatus, QuotaScope
from cases.services import DomainError
from judging.cache import results_version
from judging.models import Award, RoundStatus
from judging.services.awards import Override, award_amend, awards_confirm, awards_propose
from tests.factories import (
    make_award,
    make_case,
    make_category,
    make_edition,
    make_organiser,
    make_round,
    make_round_entry,
    make_tier,
)

pytestmark = pytest.mark.django_db


def _ranked(edition, round_, category, rank, score, title):
    case = make_case(edition=edition, category=category, status=CaseStatus.IN_REVIEW, title=title)
    make_round_entry(round=round_, case=case, rank=rank, score=score)
    return case


def _tied_edition():
    """最佳 2 overall, 优秀 2 overall; B and C tie at 90 in different categories."""
    edition = make_edition(status=EditionStatus.DECIDING)
    c1, c2, c3 = (make_category(edition=edition, order=i) for i in range(3))
    best = make_tier(edition=edition, name="最佳案例", order=1, quota=2)
    excellent = make_tier(edition=edition, name="优秀案例", order=2, quota=2)
    final = make_round(edition=edition, order=1, status=RoundStatus.CLOSED)
    cases = {
        "A": _ranked(edition, final, c1, 1, "95", "A"),
        "B": _ranked(edition, final, c2, 1, "90", "B"),
        "C": _ranked(edition, final, c3, 1, "90", "C"),
        "D": _ranked(edition, final, c1, 2, "80", "D"),
        "E": _ranked(edition, final, c1, 3, "70", "E"),
    }
    return edition, best, excellent, final, cases


def _awards(edition):
    return {
        a.case.title: (a.tier.name, a.order, a.decision_reason)
        for a in Award.objects.filter(edition=edition).select_related("case", "tier")
    }


def test_confirm_writes_awards_with_override_reason_and_audit(django_capture_on_commit_callbacks):
    edition, best, excellent, _, cases = _tied_edition()
    organiser = make_organiser()
    proposal = awards_propose(edition=edition)
    version_before = results_version(edition)

    with django_capture_on_commit_callbacks(execute=True):
        awards_confirm(
            edition=edition,
            proposal=proposal,
            overrides={cases["C"].pk: Override(tier=excellent, reason="并列,评委会表决列优秀")},
            by=organiser,
        )

    # 最佳: A (95) then B (90); 优秀: C pinned, then D (80) by score; E left out.
    assert _awards(edition) == {
        "A": ("最佳案例", 1, ""),
        "B": ("最佳案例", 2, ""),
        "C": ("优秀案例", 1, "并列,评委会表决列优秀"),
        "D": ("优秀案例", 2, ""),
    }
    codes = list(
        AuditEntry.objects.filter(code__startswith="judging.").values_list("code", flat=True)
    )
    assert sorted(codes) == sorted(
        ["judging.award.confirmed"] * 4
        + ["judging.award.overridden", "judging.edition.awards_confirmed"]
    )
    overridden = AuditEntry.objects.get(code="judging.award.overridden")
    assert overridden.actor == organiser
    assert overridden.data == {
        "proposed_tier": "最佳案例",
        "tier": "优秀案例",
        "reason": "并列,评委会表决列优秀",
    }
    assert results_version(edition) == version_before + 1


def test_confirm_refuses_override_without_reason():
    edition, _, excellent, _, cases = _tied_edition()
    proposal = awards_propose(edition=edition)

    with pytest.raises(DomainError, match="须填写理由"):
        awards_confirm(
            edition=edition,
            proposal=proposal,
            overrides={cases["C"]: Override(tier=excellent, reason="  ")},
            by=make_organiser(),
        )

    assert Award.objects.count() == 0


def test_confirm_refuses_exceeded_quota_without_reason():
    edition, *_ = _tied_edition()
    proposal = awards_propose(edition=edition)

    with pytest.raises(DomainError, match=r"最佳案例\(3/2\)"):
        awards_confirm(edition=edition, proposal=proposal, by=make_organiser())

    assert Award.objects.count() == 0


def test_confirm_keeps_tie_with_quota_reason_on_the_tied_awards():
    edition, *_ = _tied_edition()
    proposal = awards_propose(edition=edition)

    awards_confirm(
        edition=edition, proposal=proposal, by=make_organiser(), quota_reason="并列,均授最佳"
    )

    assert _awards(edition) == {
        "A": ("最佳案例", 1, ""),
        "B": ("最佳案例", 2, "超出名额:并列,均授最佳"),
        "C": ("最佳案例", 3, "超出名额:并列,均授最佳"),
        "D": ("优秀案例", 1, ""),
        "E": ("优秀案例", 2, ""),
    }


def test_confirm_refuses_stale_proposal_when_ranking_changed():
    edition, _, _, final, cases = _tied_edition()
    proposal = awards_propose(edition=edition)
    entry = final.entries.get(case=cases["C"])
    entry.score = 89
    entry.save()

    with pytest.raises(DomainError, match="重新预览"):
        awards_confirm(edition=edition, proposal=proposal, by=make_organiser(), quota_reason="x")


def test_confirm_refuses_outside_deciding():
    edition, *_ = _tied_edition()
    proposal = awards_propose(edition=edition)
    edition.status = EditionStatus.PUBLICITY
    edition.save()

    with pytest.raises(DomainError, match="评定中"):
        awards_confirm(edition=edition, proposal=proposal, by=make_organiser(), quota_reason="x")


def test_reconfirm_updates_tiers_and_removes_awards_no_longer_placed():
    edition = make_edition(status=EditionStatus.DECIDING)
    category = make_category(edition=edition)
    top = make_tier(
        edition=edition, name="优秀", order=1, quota=1, quota_scope=QuotaScope.PER_CATEGORY
    )
    final = make_round(edition=edition, order=1, status=RoundStatus.CLOSED)
    a = _ranked(edition, final, category, 1, "90", "a")
    b = _ranked(edition, final, category, 2, "80", "b")
    organiser = make_organiser()
    awards_confirm(edition=edition, proposal=awards_propose(edition=edition), by=organiser)
    first_award = Award.objects.get(case=a)

    awards_confirm(
        edition=edition,
        proposal=awards_propose(edition=edition),
        overrides={
            a.pk: Override(tier=None, reason="核实不通过"),
            b.pk: Override(tier=top, reason="递补"),
        },
        by=organiser,
    )

    assert _awards(edition) == {"b": ("优秀", 1, "递补")}
    removed = AuditEntry.objects.get(code="judging.award.removed")
    assert removed.object_id == str(first_award.pk)
    assert removed.data["tier"] == "优秀"
    no_award = AuditEntry.objects.get(code="judging.award.override_no_award")
    assert no_award.data == {"proposed_tier": "优秀", "reason": "核实不通过"}


def test_amend_requires_reason():
    edition = make_edition(status=EditionStatus.PUBLISHED)
    tier, other = make_tier(edition=edition, order=1), make_tier(edition=edition, order=2)
    award = make_award(case=make_case(edition=edition, status=CaseStatus.AWARDED), tier=tier)

    with pytest.raises(DomainError, match="理由"):
        award_amend(award=award, tier=other, reason="", by=make_organiser())


def test_amend_after_publication_changes_tier_keeps_reason_and_bumps_cache(
    django_capture_on_commit_callbacks,
):
    edition = make_edition(status=EditionStatus.PUBLISHED)
    tier = make_tier(edition=edition, name="优秀案例", order=1)
    other = make_tier(edition=edition, name="提名奖", order=2)
    award = make_award(case=make_case(edition=edition, status=CaseStatus.AWARDED), tier=tier)
    organiser = make_organiser()
    version_before = results_version(edition)

    with django_capture_on_commit_callbacks(execute=True):
        award_amend(award=award, tier=other, reason="异议成立,降为提名", by=organiser)

    award.refresh_from_db()
    assert award.tier == other
    assert award.decision_reason.endswith("由“优秀案例”调整为“提名奖”:异议成立,降为提名")
    entry = AuditEntry.objects.get(code="judging.award.amended")
    assert (entry.actor, entry.data) == (
        organiser,
        {"from": "优秀案例", "to": "提名奖", "reason": "异议成立,降为提名"},
    )
    assert results_version(edition) == version_before + 1


def test_amend_revoke_after_publication_marks_case_not_awarded():
    edition = make_edition(status=EditionStatus.PUBLISHED)
    tier = make_tier(edition=edition, order=1)
    case = make_case(edition=edition, status=CaseStatus.AWARDED)
    award = make_award(case=case, tier=tier, citation="点评", citation_status="approved")

    award_amend(award=award, revoke=True, reason="查实材料造假", by=make_organiser())

    case.refresh_from_db()
    assert case.status == CaseStatus.NOT_AWARDED
    assert not Award.objects.filter(pk=award.pk).exists()
    revoked = AuditEntry.objects.get(code="judging.award.revoked")
    assert revoked.data["citation"] == "点评"
    assert revoked.data["reason"] == "查实材料造假"


def test_amend_refuses_tier_of_another_edition():
    edition = make_edition(status=EditionStatus.DECIDING)
    award = make_award(
        case=make_case(edition=edition, status=CaseStatus.IN_REVIEW),
        tier=make_tier(edition=edition),
    )
    foreign = make_tier(edition=make_edition())

    with pytest.raises(DomainError, match="不属于本届"):
        award_amend(award=award, tier=foreign, reason="x", by=make_organiser())

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.models import CaseStatus, EditionStatus
from judging.models import CriterionScore, Review, RoundEntry, RoundStatus
from judging.services.tabulation import tabulate_round
from tests.factories import (
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_round,
    make_scored_review,
)

pytestmark = pytest.mark.django_db

CRITERIA = [("创新性", "0.4", 10), ("实效性", "0.3", 10), ("可推广性", "0.3", 10)]


def verify(*args):
    out = StringIO()
    call_command("verify_results", *args, stdout=out)
    return out.getvalue()


def tabulated_round(status=RoundStatus.CLOSED, edition_status=EditionStatus.REVIEWING):
    edition = make_edition(status=edition_status)
    category = make_category(edition=edition)
    round_ = make_round(edition=edition, criteria=CRITERIA, status=status)
    first = make_case(
        edition=edition, category=category, status=CaseStatus.IN_REVIEW, reference="2026-A-0001"
    )
    second = make_case(
        edition=edition, category=category, status=CaseStatus.IN_REVIEW, reference="2026-A-0002"
    )
    j1, j2 = make_judge(), make_judge()
    # first: (8, 8, 8) → 80 and (9, 7, 8) → 36 + 21 + 24 = 81 → 80.5
    make_scored_review(round=round_, case=first, judge=j1, values=[8, 8, 8])
    make_scored_review(round=round_, case=first, judge=j2, values=[9, 7, 8])
    # second: (7, 7, 7) → 70
    make_scored_review(round=round_, case=second, judge=j1, values=[7, 7, 7])
    tabulate_round(round=round_, by=None)
    return round_, first, second


def test_verify_results_passes_on_an_untouched_closed_round():
    round_, _first, _second = tabulated_round()

    output = verify()

    assert f"OK    round {round_.pk}" in output
    assert "1 round(s) checked, 0 difference(s)." in output


def test_verify_results_catches_a_tampered_criterion_score():
    round_, first, _second = tabulated_round()
    # 9 → 10 on the first criterion of judge 2's review: (10, 7, 8) → 40 + 21 + 24 = 85,
    # so the case becomes (80 + 85) / 2 = 82.5 while 80.5 is stored
    CriterionScore.objects.filter(
        review__assignment__case=first, value=Decimal("9"), criterion__name="创新性"
    ).update(value=Decimal("10"))

    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_results", stdout=out)
    assert "2026-A-0001 score: stored 80.5000, recomputed 82.5000" in out.getvalue()
    assert "2026-A-0001 review score: stored 81.0000, recomputed 85.0000" in out.getvalue()


def test_verify_results_catches_a_tampered_rank():
    round_, first, second = tabulated_round()
    RoundEntry.objects.filter(round=round_, case=second).update(rank=1)

    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_results", stdout=out)

    assert "2026-A-0002 rank: stored 1, recomputed 2" in out.getvalue()


def test_verify_results_catches_a_tampered_stored_review_score():
    round_, first, _second = tabulated_round()
    Review.objects.filter(assignment__case=first, score=Decimal("80")).update(score=Decimal("99"))

    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_results", stdout=out)

    assert "review score: stored 99.0000, recomputed 80.0000" in out.getvalue()


def test_verify_results_reports_a_reviewed_case_without_entry():
    round_, first, _second = tabulated_round()
    RoundEntry.objects.filter(round=round_, case=first).delete()

    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_results", stdout=out)

    # One cause, one line, by reference number: the second case's rank 2 is not echoed as
    # shifted, because the ranks are recomputed with the missing case included.
    assert "2026-A-0001 entry: stored None, recomputed missing" in out.getvalue()
    assert f"#{first.pk}" not in out.getvalue()
    assert "1 round(s) checked, 1 difference(s)." in out.getvalue()


def test_verify_results_skips_open_rounds_unless_asked():
    round_, _first, second = tabulated_round(status=RoundStatus.OPEN)
    # a review arriving after an interim tabulation makes the open round's ranking stale
    make_scored_review(round=round_, case=second, judge=make_judge(), values=[10, 10, 10])

    assert "0 round(s) checked" in verify()
    with pytest.raises(CommandError):
        verify("--include-open")


def test_verify_results_checks_open_rounds_of_a_published_edition():
    round_, _first, second = tabulated_round(
        status=RoundStatus.OPEN, edition_status=EditionStatus.PUBLISHED
    )
    RoundEntry.objects.filter(round=round_, case=second).update(score=Decimal("1"))

    with pytest.raises(CommandError):
        verify()


def test_verify_results_checks_one_round_by_id():
    round_, _first, _second = tabulated_round(status=RoundStatus.OPEN)

    assert f"OK    round {round_.pk}" in verify("--round", str(round_.pk))


def test_verify_results_ignores_untabulated_rounds():
    edition = make_edition(status=EditionStatus.PUBLISHED)
    make_round(edition=edition, criteria=CRITERIA, status=RoundStatus.CLOSED)

    assert "0 round(s) checked, 0 difference(s)." in verify()


def test_verify_results_reports_a_deleted_entry_once_among_many():
    edition = make_edition(status=EditionStatus.REVIEWING)
    category = make_category(edition=edition)
    round_ = make_round(edition=edition, criteria=CRITERIA, status=RoundStatus.CLOSED)
    judge = make_judge()
    cases = []
    for n in range(12):
        case = make_case(
            edition=edition,
            category=category,
            status=CaseStatus.IN_REVIEW,
            reference=f"2026-B-{n:04d}",
        )
        make_scored_review(round=round_, case=case, judge=judge, values=[10 - n % 10, 5, 5])
        cases.append(case)
    tabulate_round(round=round_, by=None)
    RoundEntry.objects.filter(round=round_, case=cases[0]).delete()

    out = StringIO()
    with pytest.raises(CommandError, match="1 difference"):
        call_command("verify_results", stdout=out)
    assert "2026-B-0000 entry: stored None, recomputed missing" in out.getvalue()


def test_verify_results_checks_confirmed_awards_against_the_proposal():
    from judging.models import Award
    from judging.services.awards import awards_confirm, awards_propose
    from tests.factories import make_organiser, make_tier

    round_, first, second = tabulated_round()
    edition = round_.edition
    gold = make_tier(edition=edition, name="优秀案例", order=1, quota=1)
    silver = make_tier(edition=edition, name="提名奖", order=2, quota=1)
    edition.status = EditionStatus.DECIDING
    edition.save()
    awards_confirm(edition=edition, proposal=awards_propose(edition=edition), by=make_organiser())
    assert "0 difference(s)" in verify()
    assert "OK    awards" in verify()

    Award.objects.filter(case=first).update(tier=silver)
    Award.objects.filter(case=second).update(tier=gold)
    out = StringIO()
    with pytest.raises(CommandError, match="2 difference"):
        call_command("verify_results", stdout=out)
    assert "2026-A-0001 award tier: stored 提名奖, proposed 优秀案例" in out.getvalue()
    assert "2026-A-0002 award tier: stored 优秀案例, proposed 提名奖" in out.getvalue()


def test_verify_results_recomputes_the_confirmed_plenary_count():
    from judging.models import Vote
    from judging.services.advancement import advancement_confirm
    from tests.factories import make_organiser
    from tests.judging.test_awards_plenary import plenary_edition, vote

    edition, plenary, (best, excellent), members, cases = plenary_edition()
    for title in "ABCD":
        cases[title].reference = f"2021-X-{title}"
        cases[title].save(update_fields=["reference"])
    vote(plenary, cases["A"], members, [best, best, excellent])  # 最佳 2/3 ≥ 2/3
    vote(plenary, cases["B"], members, [excellent, excellent, None])  # 优秀 2/3 > 1/2
    vote(plenary, cases["C"], members, [None, None, None])
    vote(plenary, cases["D"], members, [None, None, None])
    advancement_confirm(round=plenary, by=make_organiser())
    # The fixture's final round stores ranks without reviews: check the plenary only.
    assert f"OK    votes {plenary.pk}" in verify("--round", str(plenary.pk))

    # One 最佳 vote of A changed after the count: 最佳 1/3, so the count says 优秀.
    changed = Vote.objects.filter(case=cases["A"], tier=best).order_by("pk").first()
    changed.tier = excellent
    changed.save()

    out = StringIO()
    with pytest.raises(CommandError, match="1 difference"):
        call_command("verify_results", "--round", str(plenary.pk), stdout=out)
    assert "2021-X-A voted tier: stored 最佳案例, recomputed 优秀案例" in out.getvalue()

"""The round data version kept by the triggers of migration 0012: every write to what the
ranking table is computed from or shows moves it, whatever path the write takes (a service,
a queryset update, a delete), and the changed reviews are logged with the version they
made. The ranking table trusts its kept figures while the version stands still."""

import pytest

from cases.models import Case, Category
from judging.models import (
    Assignment,
    Criterion,
    CriterionScore,
    Review,
    RoundDataChange,
    RoundDataVersion,
    RoundEntry,
)
from tests.factories import (
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_round,
    make_round_entry,
    make_scored_review,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored():
    edition = make_edition()
    category = make_category(edition=edition)
    round_ = make_round(edition=edition, criteria=[("创新性", "0.6", 10), ("实效性", "0.4", 10)])
    other = make_round(edition=edition, order=2, criteria=[("创新性", "1", 10)])
    case = make_case(edition=edition, category=category)
    make_round_entry(round=round_, case=case)
    judge = make_judge()
    review = make_scored_review(round=round_, case=case, judge=judge, values=[7, 8])
    return {"round": round_, "other": other, "case": case, "judge": judge, "review": review}


def state(round_):
    row = RoundDataVersion.objects.get(round_id=round_.pk)
    return row.version, row.entries


def logged_since(round_, version):
    return set(
        RoundDataChange.objects.filter(round_id=round_.pk, seq__gt=version).values_list(
            "review_id", flat=True
        )
    )


def test_a_new_round_has_a_version_row_with_a_token(scored):
    rows = RoundDataVersion.objects.filter(round_id__in=[scored["round"].pk, scored["other"].pk])
    assert rows.count() == 2
    assert len({row.token for row in rows}) == 2


@pytest.mark.parametrize(
    "write",
    [
        "review saved",
        "review updated in bulk",
        "criterion score updated in bulk",
        "criterion score deleted",
        "review deleted",
    ],
)
def test_a_score_write_moves_the_version_and_logs_the_review(scored, write):
    round_, review = scored["round"], scored["review"]
    version, entries = state(round_)
    other = state(scored["other"])

    if write == "review saved":
        review.version += 1
        review.save()
    elif write == "review updated in bulk":
        Review.objects.filter(pk=review.pk).update(status="draft")
    elif write == "criterion score updated in bulk":
        CriterionScore.objects.filter(review=review).update(value=3)
    elif write == "criterion score deleted":
        CriterionScore.objects.filter(review=review).first().delete()
    else:
        Review.objects.filter(pk=review.pk).delete()

    moved, same_entries = state(round_)
    assert moved > version and same_entries == entries
    assert logged_since(round_, version) == {review.pk}
    assert state(scored["other"]) == other


@pytest.mark.parametrize(
    "write",
    ["entry added", "entry updated in bulk", "entry deleted", "case title", "category order"],
)
def test_a_write_to_what_the_table_shows_moves_the_entries_version(scored, write):
    round_, case = scored["round"], scored["case"]
    version, entries = state(round_)

    if write == "entry added":
        make_round_entry(round=round_, case=make_case(edition=case.edition))
    elif write == "entry updated in bulk":
        RoundEntry.objects.filter(round=round_).update(rank=1)
    elif write == "entry deleted":
        RoundEntry.objects.filter(round=round_).delete()
    elif write == "case title":
        Case.objects.filter(pk=case.pk).update(title="新的名称")
    else:
        Category.objects.filter(pk=case.category_id).update(order=9)

    moved, moved_entries = state(round_)
    assert moved > version and moved_entries > entries
    assert logged_since(round_, version) == set()


def test_a_case_write_the_table_does_not_show_leaves_the_version(scored):
    version = state(scored["round"])
    Case.objects.filter(pk=scored["case"].pk).update(summary="另一段摘要")
    Category.objects.filter(pk=scored["case"].category_id).update(description="说明")
    assert state(scored["round"]) == version


@pytest.mark.parametrize("write", ["criterion weight", "assignment moved"])
def test_a_write_that_moves_every_score_logs_a_full_change(scored, write):
    round_ = scored["round"]
    version, _entries = state(round_)

    if write == "criterion weight":
        Criterion.objects.filter(round=round_).update(weight="0.5")
    else:
        Assignment.objects.filter(round=round_).update(judge=make_judge())

    assert state(round_)[0] > version
    assert None in logged_since(round_, version)

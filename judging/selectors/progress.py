"""Reads for round control: the round's cases, and progress per judge and per case.

Counts are correlated subqueries rather than `Count` over joins, so a judge on two panels or
a case with several lead units is never counted twice, and each page is a fixed number of
queries whatever its length. "Done" means `Assignment.status == submitted`, which the
workspace services set when a review, verification or vote is submitted.
"""

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce

from cases.models import Case

from ..models import Assignment, AssignmentStatus, Judge, Round


def first_round(edition):
    """The edition's first round (lowest order), where accepted cases enter, or None."""
    return Round.objects.filter(edition=edition).order_by("order", "pk").first()


def round_cases(round_):
    """Cases taking part in the round (its `RoundEntry` rows)."""
    return Case.objects.filter(round_entries__round=round_)


def _count(queryset, outer_field):
    return Coalesce(
        Subquery(
            queryset.filter(**{outer_field: OuterRef("pk")})
            .order_by()
            .values(outer_field)
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def judge_progress(round_):
    """Judges of the round — everyone with an assignment in it and every member of the
    edition's panels — annotated with `assigned`, `done` and `remaining`, the ones furthest
    behind first."""
    in_round = Assignment.objects.filter(round=round_)
    return (
        Judge.objects.filter(
            Q(pk__in=in_round.values("judge_id"))
            | Q(pk__in=Judge.objects.filter(memberships__panel__edition=round_.edition_id))
        )
        .select_related("affiliation", "user")
        .annotate(
            assigned=_count(in_round, "judge"),
            done=_count(in_round.filter(status=AssignmentStatus.SUBMITTED), "judge"),
        )
        .annotate(remaining=F("assigned") - F("done"))
        .order_by("-remaining", "name", "pk")
    )


def judges_behind(round_):
    """Judges of the round with at least one assignment not yet submitted."""
    return judge_progress(round_).filter(remaining__gt=0)


def case_progress(round_):
    """The round's cases with `assigned` and `received` (submitted) counts, and their
    assignments (judge and status) prefetched, in category then reference order."""
    in_round = Assignment.objects.filter(round=round_)
    return (
        round_cases(round_)
        .select_related("category", "submitting_unit")
        .annotate(
            assigned=_count(in_round, "case"),
            received=_count(in_round.filter(status=AssignmentStatus.SUBMITTED), "case"),
        )
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=in_round.select_related("judge").order_by("judge__name", "pk"),
                to_attr="round_assignments",
            )
        )
        .order_by("category__order", "category_id", "reference", "pk")
    )

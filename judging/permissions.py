"""Who may see and do what in the judges' workspace (DESIGN.md §6).

Functions answer one question (`can_*`); `*_visible_to(user)` return querysets that list
views start from. A judge reaches a case only through an `Assignment` in a round that is
open or closed (a draft round is still being set up), never for a case they are in conflict
with; a panel chair (主任 / 联席主任) reads the cases and submitted scores of the panel's
categories. Staff status gives nothing here: organisers read everything in the admin, and
only see the vote tally in the workspace (with `judging.view_tally`).
"""

from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat
from django.utils import timezone

from cases.models import Case, CaseLeadUnit, Region, Unit

from .models import (
    PANEL_CHAIR_ROLES,
    Assignment,
    Conflict,
    Judge,
    Panel,
    Review,
    ReviewStatus,
    Round,
    RoundStatus,
)
from .selectors.conflicts import judge_conflict_units

VISIBLE_ROUND_STATES = (RoundStatus.OPEN, RoundStatus.CLOSED)


def judge_of(user):
    """The user's Judge row, or None (anonymous users and accounts that are not judges)."""
    if not user.is_authenticated:
        return None
    try:
        return user.judge
    except Judge.DoesNotExist:
        return None


def round_accepts_input(round_, at=None):
    """Reviews, verifications, votes and recusals are saved only while the round is open
    and, when it has a closing time, before it (server time)."""
    if round_.status != RoundStatus.OPEN:
        return False
    return round_.closes_at is None or (at or timezone.now()) < round_.closes_at


# --- Conflicts -----------------------------------------------------------------------------
def _conflict_free(judge, prefix):
    """Filters keeping the cases `judge` is not in conflict with, by the one rule of
    `selectors.conflicts`: no recusal or case-level conflict, and neither the submitting unit
    nor a lead unit related (same, above or below in the unit tree) to the judge's
    affiliation or a declared unit. `prefix` leads from the filtered rows to the case
    (`"case__"` on Assignment rows, `""` on Case rows). It holds for conflicts recorded
    after the assignment too (an affiliation set or changed later, a declared unit)."""
    case = OuterRef("case") if prefix else OuterRef("pk")
    filters = [~Exists(Conflict.objects.filter(judge=judge, case=case))]
    units = sorted(judge_conflict_units(judge))  # sorted: the same SQL for the same rule
    if units:
        filters += [
            ~Q(**{f"{prefix}submitting_unit__in": units}),
            ~Exists(CaseLeadUnit.objects.filter(case=case, unit__in=units)),
        ]
    if prefix == "case__" and judge.region_id:
        filters.append(~_regional_conflict(judge))
    return filters


def _regional_conflict(judge):
    """On Assignment rows: the round asks for regional recusal and one of the case's units
    lies in the judge's region or below it (the `regional` rule of `conflict_map`)."""
    path = Subquery(Region.objects.filter(pk=judge.region_id).values("path"))
    in_region = Q(region__path=path) | Q(region__path__startswith=Concat(path, Value("/")))
    unit_in_region = Unit.objects.filter(in_region)
    return Q(round__regional_recusal=True) & (
        Q(case__submitting_unit__in=unit_in_region)
        | Exists(CaseLeadUnit.objects.filter(case=OuterRef("case"), unit__in=unit_in_region))
    )


def eligible_assignments(judge):
    """The judge's assignments in visible rounds whose case the judge is not in conflict
    with (one query for the unit tree, then a queryset)."""
    return Assignment.objects.filter(
        *_conflict_free(judge, "case__"), judge=judge, round__status__in=VISIBLE_ROUND_STATES
    )


# --- Judges --------------------------------------------------------------------------------
def assignments_visible_to(user):
    """The user's own assignments that the workspace shows: visible rounds, no conflict."""
    judge = judge_of(user)
    if judge is None:
        return Assignment.objects.none()
    return eligible_assignments(judge)


def assignment_for(user, round_, case):
    """The user's visible assignment for `case` in `round_`, or None."""
    return assignments_visible_to(user).filter(round=round_, case=case).order_by("pk").first()


def assignment_with_case(user, round_pk, case_pk):
    """The user's visible assignment for a case of a round, with the round (and its edition
    and programme), the case (with category, submitting unit and edition) and the review in
    the same query; None when there is none. A visible assignment makes its round visible
    (`rounds_visible_to`), so the case page needs no separate query for the round."""
    return (
        assignments_visible_to(user)
        .select_related(
            "round__edition__programme",
            "case__category",
            "case__submitting_unit",
            "case__edition",
            "review",
        )
        .filter(round_id=round_pk, case_id=case_pk)
        # One row at most: ordering by pk spares compiling Meta.ordering's chain of joins
        # (round → edition → programme, case → edition, judge) on every request.
        .order_by("pk")
        .first()
    )


def can_view_case_as_judge(user, round_, case):
    return assignments_visible_to(user).filter(round=round_, case=case).exists()


# --- Panel chairs --------------------------------------------------------------------------
def chaired_panels(user, edition):
    judge = judge_of(user)
    if judge is None:
        return Panel.objects.none()
    return Panel.objects.filter(
        edition=edition,
        memberships__judge=judge,
        memberships__role__in=PANEL_CHAIR_ROLES,
    ).distinct()


def chaired_edition_ids(user):
    judge = judge_of(user)
    if judge is None:
        return []
    return (
        Panel.objects.filter(memberships__judge=judge, memberships__role__in=PANEL_CHAIR_ROLES)
        .values_list("edition_id", flat=True)
        .distinct()
    )


def is_chair_in_edition(user, edition):
    return chaired_panels(user, edition).exists()


def panel_cases_visible_to(user, round_):
    """Cases of `round_` (those with assignments) in the categories of the panels the user
    chairs, without the ones the chair is in conflict with."""
    judge = judge_of(user)
    if judge is None or round_.status not in VISIBLE_ROUND_STATES:
        return Case.objects.none()
    return (
        Case.objects.filter(
            Exists(Assignment.objects.filter(round=round_, case=OuterRef("pk"))),
            category__panels__in=chaired_panels(user, round_.edition),
        )
        .filter(*_conflict_free(judge, ""))
        .distinct()
    )


def can_view_case_as_chair(user, round_, case):
    return panel_cases_visible_to(user, round_).filter(pk=case.pk).exists()


def can_view_case_in_round(user, round_, case):
    """The case page and its attachments: the assigned judge or the panel's chair."""
    return can_view_case_as_judge(user, round_, case) or can_view_case_as_chair(user, round_, case)


def rounds_visible_to(user):
    """Rounds the user has assignments in, or chairs a panel of (visible states only)."""
    judge = judge_of(user)
    if judge is None:
        return Round.objects.none()
    # EXISTS per round, not `pk IN (…)`: the database stops at the first visible assignment
    # of the round instead of checking every assignment of the judge for conflicts.
    return Round.objects.filter(
        Exists(assignments_visible_to(user).filter(round=OuterRef("pk")))
        | Q(edition__in=chaired_edition_ids(user), status__in=VISIBLE_ROUND_STATES)
    )


# --- Scores --------------------------------------------------------------------------------
def can_see_review(user, review):
    """Own review always; another judge's submitted review only if the round allows it and
    the user has submitted their own review of the same case; the panel chair sees the
    submitted reviews of the panel's cases."""
    assignment = review.assignment
    judge = judge_of(user)
    if judge is None:
        return False
    if assignment.judge_id == judge.pk:
        return assignments_visible_to(user).filter(pk=assignment.pk).exists()
    if review.status != ReviewStatus.SUBMITTED:
        return False
    round_ = assignment.round
    if can_view_case_as_chair(user, round_, assignment.case):
        return True
    return round_.judges_see_others and own_review_submitted(user, round_, assignment.case)


def own_review_submitted(user, round_, case):
    return Review.objects.filter(
        assignment__in=assignments_visible_to(user).filter(round=round_, case=case),
        status=ReviewStatus.SUBMITTED,
    ).exists()


def can_see_others_reviews(user, round_, case, *, is_chair=None):
    """Whether the case page lists the other judges' submitted reviews."""
    if is_chair if is_chair is not None else can_view_case_as_chair(user, round_, case):
        return True
    return round_.judges_see_others and own_review_submitted(user, round_, case)


def can_see_unit_identity(user, round_):
    """Judges and chairs never see who submitted a case in a blind round (the organiser
    does, in the admin)."""
    return not round_.blind


def can_see_tally(user, round_):
    """The plenary vote tally: organisers holding `judging.view_tally`, and the chairs of
    the edition's panels."""
    if not user.is_authenticated:
        return False
    return can_see_every_tally(user) or is_chair_in_edition(user, round_.edition)


def can_see_every_tally(user):
    """Every case's row of a tally, with the units: the organiser's permission."""
    return user.is_authenticated and user.is_active and user.has_perm("judging.view_tally")

"""Reads of the judges' workspace. Every list starts from a permission queryset of
`judging.permissions` and carries its own prefetch bundle, so page query counts do not grow
with the number of rows."""

from collections import Counter, defaultdict
from pathlib import PurePath

from django.db.models import Count, F, Prefetch, Q, prefetch_related_objects

from cases.models import Attachment, Case, CaseLeadUnit

from ..models import (
    Assignment,
    AssignmentStatus,
    CriterionScore,
    Review,
    ReviewStatus,
    Verification,
    VerificationEvidence,
)
from ..permissions import (
    assignments_visible_to,
    chaired_edition_ids,
    panel_cases_visible_to,
    rounds_visible_to,
)

LEAD_UNITS = Prefetch(
    "lead_unit_links", queryset=CaseLeadUnit.objects.select_related("unit").order_by("order")
)
SCORES = Prefetch(
    "scores",
    queryset=CriterionScore.objects.select_related("criterion").order_by(
        "criterion__order", "criterion__pk"
    ),
)


def progress(assignments):
    """`{"total": n, "done": m}` of an assignment queryset, in one aggregate query."""
    return assignments.aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(status=AssignmentStatus.SUBMITTED))
    )


def progress_of_rows(assignments):
    """`progress` of assignments already read (a list), without a query."""
    done = sum(1 for assignment in assignments if assignment.status == AssignmentStatus.SUBMITTED)
    return {"total": len(assignments), "done": done}


def my_rounds(user):
    """The user's rounds, newest edition first, each with `total` / `done` (own
    assignments) and `is_chair` (chairs a panel of the edition). Three queries."""
    counts = {
        row["round"]: row
        for row in assignments_visible_to(user)
        .values("round")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(status=AssignmentStatus.SUBMITTED)))
    }
    chaired = set(chaired_edition_ids(user))
    rounds = list(
        rounds_visible_to(user)
        .select_related("edition__programme")
        .order_by("-edition__year", "edition__pk", "order")
    )
    for round_ in rounds:
        row = counts.get(round_.pk, {})
        round_.total = row.get("total", 0)
        round_.done = row.get("done", 0)
        round_.is_chair = round_.edition_id in chaired
    return rounds


def queue(user, round_):
    """The user's assignments in a round, with what the queue table shows (and only that:
    the case texts, thousands of characters each, stay in the database)."""
    return (
        assignments_visible_to(user)
        .filter(round=round_)
        .select_related("case")
        .only("round_id", "judge_id", "status", "case__reference", "case__title")
        # The name, not a category instance per row: a queue is of one or a few categories.
        .annotate(my_score=F("review__score"), category_name=F("case__category__name"))
        .order_by("case__category__order", "case__reference", "case__pk")
    )


def queue_rows(assignments, *, with_units):
    """The rows of the queue table as a list, each with `status_label` (looked up once per
    status: `get_status_display` rebuilds the choices on every call) and, `with_units`,
    `lead_units`: the names of the case's lead units in order, read as (case, name) pairs
    in one query instead of two model instances per unit."""
    labels = {value: str(label) for value, label in AssignmentStatus.choices}
    assignments = list(assignments)
    names = defaultdict(list)
    if with_units and assignments:
        for case_id, name in (
            CaseLeadUnit.objects.filter(case__in={a.case_id for a in assignments})
            .order_by("case_id", "order", "pk")
            .values_list("case_id", "unit__name")
        ):
            names[case_id].append(name)
    for assignment in assignments:
        assignment.status_label = labels.get(assignment.status, assignment.status)
        if with_units:
            assignment.lead_units = names.get(assignment.case_id, [])
    return assignments


# What the judging page shows of a case besides the case row.
MATERIALS = (
    LEAD_UNITS,
    "media_coverage",
    Prefetch("attachments", queryset=Attachment.objects.order_by("kind", "pk")),
)


def case_with_materials(case_pk):
    """A case with everything its judging page shows, in a bounded number of queries."""
    return (
        Case.objects.select_related("category", "submitting_unit", "edition")
        .prefetch_related(*MATERIALS)
        .get(pk=case_pk)
    )


def load_materials(case):
    """`case_with_materials` for a case already loaded (with the judge's assignment)."""
    prefetch_related_objects([case], *MATERIALS)
    return case


def review_with_scores(assignment):
    """The assignment's review with its scores: the review read with the assignment
    (`permissions.assignment_with_case`) when it was, else by a query."""
    if assignment is None:
        return None
    try:
        review = assignment.review
    except Review.DoesNotExist:
        return None
    prefetch_related_objects([review], SCORES)
    return review


def verification_of(assignment):
    if assignment is None:
        return None
    return (
        Verification.objects.filter(assignment=assignment)
        .prefetch_related(
            Prefetch("evidence", queryset=VerificationEvidence.objects.order_by("pk"))
        )
        .first()
    )


def submitted_reviews(round_, case, *, exclude_judge_id=None):
    """The submitted reviews of a case in a round, with judge and scores."""
    reviews = (
        Review.objects.filter(
            assignment__round=round_, assignment__case=case, status=ReviewStatus.SUBMITTED
        )
        .select_related("assignment__judge")
        .prefetch_related(SCORES)
        .order_by("assignment__judge__name", "pk")
    )
    if exclude_judge_id is not None:
        reviews = reviews.exclude(assignment__judge_id=exclude_judge_id)
    return reviews


def submitted_verifications(round_, case):
    """The submitted verification records of a case in a round, with judge and evidence."""
    return (
        Verification.objects.filter(
            assignment__round=round_, assignment__case=case, status=ReviewStatus.SUBMITTED
        )
        .select_related("assignment__judge")
        .prefetch_related(
            Prefetch("evidence", queryset=VerificationEvidence.objects.order_by("pk"))
        )
        .order_by("assignment__judge__name", "pk")
    )


def panel_overview(user, round_):
    """The chair's table: the panel's cases in the round with their assignments and the
    submitted review scores, in three queries."""
    return (
        panel_cases_visible_to(user, round_)
        .select_related("category")
        .prefetch_related(
            LEAD_UNITS,
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(round=round_)
                .select_related("judge", "review")
                .order_by("judge__name"),
                to_attr="round_assignments",
            ),
        )
        .order_by("category__order", "reference", "pk")
    )


def visible_round(user, round_pk):
    """A round the user may open in the workspace, or None."""
    return rounds_visible_to(user).select_related("edition__programme").filter(pk=round_pk).first()


EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def neutral_name(label, item, *, number=None):
    """A file name that says what a file is and nothing about who made it."""
    extension = EXTENSIONS.get(item.content_type) or PurePath(item.file.name).suffix.lower()
    suffix = f"-{number}" if number else ""
    return f"{label}{suffix}{extension}"


def label_attachments(attachments, *, blind):
    """The attachments with a `display_name`: the original file name, or in blind rounds
    the kind and a number (申报书.pdf, 佐证材料-1.pdf, 佐证材料-2.pdf)."""
    attachments = list(attachments)
    per_kind = Counter(a.kind for a in attachments)
    seen = Counter()
    for attachment in attachments:
        if not blind:
            attachment.display_name = attachment.original_name
            continue
        seen[attachment.kind] += 1
        number = seen[attachment.kind] if per_kind[attachment.kind] > 1 else None
        attachment.display_name = neutral_name(
            attachment.get_kind_display(), attachment, number=number
        )
    return attachments


def evidence_number(evidence):
    """Position of an evidence file among its verification's files (1-based)."""
    return VerificationEvidence.objects.filter(
        verification_id=evidence.verification_id, pk__lte=evidence.pk
    ).count()

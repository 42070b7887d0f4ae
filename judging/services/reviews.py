"""Saving a judge's scores: drafts, submission, edits until the round closes.

Two tabs of the same judge cannot silently overwrite each other: every save names the
version it was edited from (`expected_version`, 0 when there was no review yet) and is
refused with `StaleReview` when the stored version moved on in between.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.services import DomainError, audit_log

from ..models import (
    Assignment,
    AssignmentStatus,
    CriterionScore,
    Review,
    ReviewStatus,
    RoundKind,
)
from ..permissions import round_accepts_input
from ..tabulation import review_score, to_decimal

SCORE_QUANTUM = Decimal("0.01")


class StaleVersion(DomainError):
    """The form was edited from an older version; `current` is the stored object."""

    def __init__(self, message, *, current):
        super().__init__(message)
        self.current = current


class StaleReview(StaleVersion):
    pass


class InvalidInput(DomainError):
    """Values refused; `errors` maps a criterion pk (or "comment") to a message."""

    def __init__(self, message, *, errors):
        super().__init__(message)
        self.errors = errors


def check_can_record(*, assignment, by, kind):
    """Guards shared by reviews, verifications and votes: the acting user is the assigned
    judge (staff status does not score for anyone), the round is of the expected kind and
    open, and now is before its closing time."""
    round_ = assignment.round
    if by is None or assignment.judge.user_id != by.pk:
        raise DomainError(_("只有被分配的评审专家本人可以填写。"))
    if round_.kind != kind:
        raise DomainError(_("本轮次不是“%(kind)s”轮次。") % {"kind": RoundKind(kind).label})
    if not round_accepts_input(round_):
        raise DomainError(_("本轮评审已结束或尚未开始,不能再修改。"))


def points(value):
    """A Decimal without trailing zeros and never in exponent form: 10.00 → "10"."""
    return format(value.normalize(), "f")


def parse_score(value, criterion):
    """A criterion value as Decimal with at most two decimals in [0, max_points]; None when
    left empty. Raises ValueError with a message fit for the user."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(_("请输入数字。")) from None
    if not number.is_finite():
        raise ValueError(_("请输入数字。"))
    if number != number.quantize(SCORE_QUANTUM):
        raise ValueError(_("最多保留两位小数。"))
    if number < 0 or number > criterion.max_points:
        raise ValueError(_("分值应在 0 到 %(max)s 之间。") % {"max": points(criterion.max_points)})
    return number.quantize(SCORE_QUANTUM)


def review_snapshot(review, scores=None):
    """Scores (by criterion name) and comment of a review, as kept in audit rows. `scores`
    (CriterionScore rows with their criterion) when they are known without a query."""
    if review is None:
        return None
    return {
        "status": review.status,
        "scores": {s.criterion.name: str(s.value) for s in (scores or review.scores.all())},
        "comment": review.comment,
        "score": str(review.score) if review.score is not None else None,
    }


SCORES_WITH_CRITERIA = Prefetch(
    "scores", queryset=CriterionScore.objects.select_related("criterion").order_by("pk")
)


def review_save(*, assignment, values, comment, submit, expected_version, by, criteria=None):
    """Save a draft of, or submit, the review of `assignment`; returns the review.

    `values` maps criterion pk → value (str, Decimal or None for empty). A draft may leave
    values empty; submitting needs every criterion, and the comment when the round requires
    one. A submitted review stays submitted: later edits are submitted again. The weighted
    score (DESIGN.md §5) is stored whenever every criterion has a value. `criteria`, the
    round's criteria when the caller has them already (the form was built from them).
    """
    with transaction.atomic():
        # Lock only the assignment and review rows (`of=self`): judges saving other cases of
        # the same round must not queue behind a lock on the shared round row.
        assignment = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("round", "judge", "case")
            .get(pk=assignment.pk)
        )
        check_can_record(assignment=assignment, by=by, kind=RoundKind.SCORING)
        review = (
            Review.objects.select_for_update(of=("self",))
            .prefetch_related(SCORES_WITH_CRITERIA)
            .filter(assignment=assignment)
            .first()
        )
        current_version = review.version if review else 0
        if int(expected_version) != current_version:
            raise StaleReview(
                _(
                    "这份评分已在其他页面或窗口中修改过(当前为第 %(version)s 版),"
                    "您的修改没有保存。下面显示的是最新内容,请核对后重新填写。"
                )
                % {"version": current_version},
                current=review,
            )
        if review and review.status == ReviewStatus.SUBMITTED and not submit:
            raise DomainError(_("评分已提交,修改后请再次提交,不能改回草稿。"))

        if criteria is None or any(c.round_id != assignment.round_id for c in criteria):
            criteria = list(assignment.round.criteria.all())
        parsed, errors = {}, {}
        for criterion in criteria:
            try:
                parsed[criterion.pk] = parse_score(values.get(criterion.pk), criterion)
            except ValueError as error:
                errors[criterion.pk] = str(error)
        unknown = set(values) - {c.pk for c in criteria}
        if unknown:
            raise DomainError(_("评分指标不属于本轮次。"))
        comment = (comment or "").strip()
        if submit:
            if not criteria:
                raise DomainError(_("本轮次尚未设置评分指标,暂不能提交。"))
            for criterion in criteria:
                if parsed.get(criterion.pk) is None and criterion.pk not in errors:
                    errors[criterion.pk] = _("提交前请填写此项。")
            if assignment.round.comment_required and not comment:
                errors["comment"] = _("本轮评审要求填写评语。")
        if errors:
            raise InvalidInput(_("请修改标出的内容后再保存。"), errors=errors)

        old = review_snapshot(review)
        stored_scores = list(review.scores.all()) if review else []
        complete = bool(criteria) and all(parsed[c.pk] is not None for c in criteria)
        score = (
            to_decimal(review_score([(parsed[c.pk], c.weight, c.max_points) for c in criteria]))
            if complete
            else None
        )
        if review is None:
            review = Review(assignment=assignment, version=1)
        else:
            review.version += 1
        review.comment = comment
        review.score = score
        review.status = ReviewStatus.SUBMITTED if submit else ReviewStatus.DRAFT
        if submit:
            review.submitted_at = timezone.now()
        review.save()

        scores = _save_scores(review, criteria, parsed, stored_scores)

        status = AssignmentStatus.SUBMITTED if submit else AssignmentStatus.DRAFT
        if assignment.status != status:
            assignment.status = status
            assignment.save(update_fields=["status"])

        review.assignment = assignment  # loaded with its round, judge and case above
        review._prefetched_objects_cache = {}  # the scores read under the lock are stale now
        audit_log(
            code="judging.review.submitted" if submit else "judging.review.saved",
            obj=review,
            by=by,
            data={
                "assignment": assignment.pk,
                "version": review.version,
                "old": old,
                "new": review_snapshot(review, scores),
            },
        )
    return review


def _save_scores(review, criteria, parsed, stored_scores):
    """Writes the review's criterion scores to match `parsed` (criterion pk → value or None)
    in as few statements as the change needs: one DELETE of cleared values, one INSERT of new
    ones, one UPDATE of changed ones. Returns the review's scores, each with its criterion,
    in the criteria's order (for the audit row, without reading them again). `stored_scores`
    are the rows read with the review under its lock."""
    existing = {score.criterion_id: score for score in stored_scores}
    by_pk = {criterion.pk: criterion for criterion in criteria}
    cleared = [s.pk for pk, s in existing.items() if parsed.get(pk) is None]
    if cleared:
        CriterionScore.objects.filter(pk__in=cleared).delete()
    new, changed, scores = [], [], []
    for criterion in criteria:
        value = parsed.get(criterion.pk)
        if value is None:
            continue
        row = existing.get(criterion.pk)
        if row is None:
            row = CriterionScore(review=review, criterion=criterion, value=value)
            new.append(row)
        elif row.value != value:
            row.value = value
            changed.append(row)
        row.criterion = by_pk[criterion.pk]
        scores.append(row)
    if changed:
        CriterionScore.objects.bulk_update(changed, ["value"])
    if new:
        CriterionScore.objects.bulk_create(new)
    return scores

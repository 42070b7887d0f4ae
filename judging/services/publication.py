"""Publication of an edition's results at an embargo time.

`publish_results` is the freeze: it checks its guards, sets `results_published_at` (the embargo
time, possibly in the future) and moves the edition to `published` in one transaction, then
settles every case in review as 获奖 or 未获奖. The public reads results only through
`cases.selectors.results_visible_editions()`, so nothing shows before the embargo time.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.models import Case, CaseStatus, Edition, EditionStatus
from cases.services import DomainError, audit_log, case_transition, edition_transition

from ..cache import bump_results_version
from ..content.indexing import index_edition
from ..models import Award, CitationStatus, ObjectionStatus
from .publicity import local_time_label

PUBLISHABLE_STATES = {EditionStatus.DECIDING, EditionStatus.PUBLICITY}
CITATION_IN_PROGRESS = {CitationStatus.ASSIGNED, CitationStatus.DRAFTED}


def uncited_awards(edition):
    return Award.objects.filter(edition=edition, citation_status=CitationStatus.NONE)


PUBLISHABLE_CASE_STATES = [CaseStatus.IN_REVIEW, CaseStatus.AWARDED]


@dataclass(frozen=True)
class PublicationCounts:
    awards: int
    in_progress: int  # citations assigned or drafted, not yet approved
    uncited: int
    pending: int  # objections not yet handled
    wrong_state: int  # awards whose case can no longer be published as awarded


def publication_counts(editions):
    """`{edition_id: PublicationCounts}` for `editions` in one query, whatever their number."""
    ids = [getattr(edition, "pk", edition) for edition in editions]
    others = [status for status in CaseStatus if status not in PUBLISHABLE_CASE_STATES]
    rows = Edition.objects.filter(pk__in=ids).annotate(
        n_awards=Count("awards", distinct=True),
        n_in_progress=Count(
            "awards",
            filter=Q(awards__citation_status__in=CITATION_IN_PROGRESS),
            distinct=True,
        ),
        n_uncited=Count(
            "awards", filter=Q(awards__citation_status=CitationStatus.NONE), distinct=True
        ),
        n_pending=Count(
            "awards__objections",
            filter=Q(awards__objections__status=ObjectionStatus.RECEIVED),
            distinct=True,
        ),
        n_wrong_state=Count("awards", filter=Q(awards__case__status__in=others), distinct=True),
    )
    found = {
        pk: PublicationCounts(*values)
        for pk, *values in rows.values_list(
            "pk", "n_awards", "n_in_progress", "n_uncited", "n_pending", "n_wrong_state"
        )
    }
    return {pk: found.get(pk, PublicationCounts(0, 0, 0, 0, 0)) for pk in ids}


def publication_blockers(edition, *, allow_uncited=False, at=None, counts=None):
    """Messages saying why `edition` cannot be published now; empty when it can. `counts`
    (a `PublicationCounts`) saves reading them when a list page has read them in bulk."""
    now = at or timezone.now()
    counts = counts or publication_counts([edition])[edition.pk]
    blockers = []
    if edition.status not in PUBLISHABLE_STATES:
        blockers.append(_("只有处于“评定中”或“公示中”的届才能发布结果。"))
    if not counts.awards:
        blockers.append(_("本届还没有确定的获奖名单。"))
    if counts.in_progress:
        blockers.append(
            ngettext(
                "%(count)s条点评尚未审定。",
                "%(count)s条点评尚未审定。",
                counts.in_progress,
            )
            % {"count": counts.in_progress}
        )
    if counts.uncited and not allow_uncited:
        blockers.append(
            ngettext(
                "%(count)s个获奖案例没有安排点评;如确定不设点评,请勾选“确认不设点评”。",
                "%(count)s个获奖案例没有安排点评;如确定不设点评,请勾选“确认不设点评”。",
                counts.uncited,
            )
            % {"count": counts.uncited}
        )
    if counts.pending:
        blockers.append(
            ngettext(
                "%(count)s件异议尚未处理完毕。",
                "%(count)s件异议尚未处理完毕。",
                counts.pending,
            )
            % {"count": counts.pending}
        )
    if (
        edition.status == EditionStatus.PUBLICITY
        and edition.publicity_ends_at
        and now < edition.publicity_ends_at
    ):
        blockers.append(
            _("公示期到%(end)s才结束。") % {"end": local_time_label(edition.publicity_ends_at)}
        )
    if counts.wrong_state:
        wrong_state = Award.objects.filter(edition=edition).exclude(
            case__status__in=PUBLISHABLE_CASE_STATES
        )
        for award in wrong_state.select_related("case")[:5]:
            blockers.append(
                _("获奖案例“%(case)s”的状态为“%(status)s”,不能发布为获奖。")
                % {"case": award.case.title, "status": award.case.get_status_display()}
            )
    return blockers


def results_snapshot(edition):
    """The published list as plain data, frozen in the publication's audit row: what the
    public was shown at publication, whatever is amended later (amendments audit themselves)."""
    awards = Award.objects.filter(edition=edition).select_related(
        "case", "tier", "category", "commentator"
    )
    return [
        {
            "award": award.pk,
            "case": award.case_id,
            "reference": award.case.reference,
            "title": award.case.title,
            "tier": award.tier.name,
            "category": award.category.name if award.category_id else "",
            "order": award.order,
            "citation": award.citation if award.citation_status == CitationStatus.APPROVED else "",
            "commentator": award.commentator.name if award.commentator_id else "",
            "signed_as": award.signed_as,
        }
        for award in awards.order_by("tier__order", "category__order", "order", "pk")
    ]


def publish_results(*, edition, at, by, allow_uncited=False):
    """Publish `edition`'s results with embargo time `at` (aware datetime; may be in the future).

    Guards: edition deciding or in 公示 (and the 公示 window over); every citation approved, or
    the organiser confirms the uncited awards go out without one (`allow_uncited`); no
    objection left unhandled. Awarded cases become 获奖, other cases in review 未获奖.
    """
    if at is None or at.tzinfo is None:
        raise DomainError(_("请填写带时区的发布时间。"))
    with transaction.atomic():
        edition = Edition.objects.select_for_update().get(pk=edition.pk)
        blockers = publication_blockers(edition, allow_uncited=allow_uncited)
        if blockers:
            raise DomainError(" ".join(blockers))
        previous = edition.status
        edition.results_published_at = at
        edition.save(update_fields=["results_published_at", "updated_at"])
        edition_transition(edition, EditionStatus.PUBLISHED, by=by)
        awarded_ids = set(Award.objects.filter(edition=edition).values_list("case_id", flat=True))
        awarded = not_awarded = 0
        cases = Case.objects.filter(edition=edition, status=CaseStatus.IN_REVIEW).select_related(
            "edition", "category"
        )
        for case in cases:
            if case.pk in awarded_ids:
                case_transition(case, CaseStatus.AWARDED, by=by)
                awarded += 1
            else:
                case_transition(case, CaseStatus.NOT_AWARDED, by=by)
                not_awarded += 1
        audit_log(
            code="judging.edition.published",
            obj=edition,
            by=by,
            data={
                "from": previous,
                "results_published_at": at.isoformat(),
                "awards": len(awarded_ids),
                "awarded": awarded,
                "not_awarded": not_awarded,
                "uncited": uncited_awards(edition).count(),
                "snapshot": results_snapshot(edition),
            },
        )
        index_edition(edition)
        transaction.on_commit(lambda: bump_results_version(edition))
    return edition

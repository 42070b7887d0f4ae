"""Reads for 公示 and published results that the public pages use.

`publicity_awards(edition)` is the provisional list shown during 公示; it is empty for any
edition not currently in its public 公示 window, so a page built on it cannot leak a list the
organisers have not opened. Final results are read through
`cases.selectors.results_visible_editions()` (embargo time reached).
"""

from django.db.models import Prefetch
from django.utils import timezone

from cases.models import CaseLeadUnit, EditionStatus
from cases.selectors import public_editions

from ..models import Award, EditionCommentary


def publicity_editions(at=None):
    """Editions whose provisional list is public now: in 公示 and the window has started."""
    return public_editions().filter(
        status=EditionStatus.PUBLICITY, publicity_starts_at__lte=at or timezone.now()
    )


def is_in_publicity(edition, at=None):
    at = at or timezone.now()
    return (
        edition.status == EditionStatus.PUBLICITY
        and edition.publicity_starts_at is not None
        and edition.publicity_starts_at <= at
    )


def awards_with_cases():
    """Awards with what a list shows (case, units, tier, category) in a fixed number of
    queries."""
    return Award.objects.select_related(
        "case__submitting_unit", "tier", "category", "commentator__affiliation"
    ).prefetch_related(
        Prefetch(
            "case__lead_unit_links",
            queryset=CaseLeadUnit.objects.select_related("unit").order_by("order", "pk"),
        )
    )


def publicity_awards(edition, at=None):
    """The provisional award list of `edition` during its 公示, ordered by tier, category and
    rank; an empty queryset when the edition is not in a public 公示 window."""
    awards = awards_with_cases().filter(edition=edition)
    if not is_in_publicity(edition, at):
        return awards.none()
    return awards.order_by("tier__order", "category__order", "order", "pk")


def committee_commentary(edition):
    """The approved committee commentary (评委会点评) of `edition`, or None."""
    return EditionCommentary.objects.filter(edition=edition, approved=True).first()

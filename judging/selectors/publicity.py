"""Reads for 公示 and published results that the public pages use.

`publicity_awards(edition)` is the provisional list shown during 公示; it is empty for any
edition not currently in its public 公示 window, so a page built on it cannot leak a list the
organisers have not opened. Final results are read through
`cases.selectors.results_visible_editions()` (embargo time reached).
"""

from django.db.models import FilteredRelation, Prefetch, Q

from cases.models import CaseLeadUnit
from cases.selectors import is_publicity_open, publicity_open_editions

from ..models import Award, EditionCommentary


def publicity_editions(at=None):
    """Editions whose provisional list is public now: in 公示 and the window has started
    (the cases app's rule, which the edition page uses for its link to the list)."""
    return publicity_open_editions(at)


def is_in_publicity(edition, at=None):
    return is_publicity_open(edition, at)


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


def with_committee_commentary(editions):
    """`editions` with the approved committee commentary joined (the row `committee_commentary`
    returns), for pages that read it with `joined_committee_commentary` and no query of its
    own."""
    return editions.annotate(
        approved_commentary=FilteredRelation(
            "committee_commentary", condition=Q(committee_commentary__approved=True)
        )
    ).select_related("approved_commentary")


def joined_committee_commentary(edition):
    """The approved committee commentary of an edition loaded through
    `with_committee_commentary`, or None."""
    return getattr(edition, "approved_commentary", None)

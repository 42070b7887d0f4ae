"""Reads for the public results pages: published awards, the archive, unit and region history
tables, edition statistics.

Everything starts from `cases.selectors.results_visible_editions()` (published or archived and
past the embargo time), so no page built on these selectors can show an embargoed result.
Citations are exposed only through the `public_citation` annotation, which is empty unless the
citation is approved: templates never read `Award.citation` directly.
"""

from dataclasses import dataclass
from itertools import groupby

from django.db.models import Case as CaseWhen
from django.db.models import CharField, Count, Exists, F, OuterRef, Prefetch, Q, Value, When
from django.utils.translation import gettext as _

from cases.models import (
    Case,
    CaseLeadUnit,
    CaseStatus,
    Category,
    Programme,
    Region,
    Unit,
    UnitLevel,
)
from cases.selectors import results_visible_editions

from ..models import Award, CitationStatus

# Cases that were entries of the edition: everything once submitted, except withdrawn ones.
ENTRY_STATES = [
    CaseStatus.SUBMITTED,
    CaseStatus.RETURNED,
    CaseStatus.ACCEPTED,
    CaseStatus.REJECTED,
    CaseStatus.IN_REVIEW,
    CaseStatus.AWARDED,
    CaseStatus.NOT_AWARDED,
]

ARCHIVE_ORDERING = [
    "-edition__year",
    "edition__programme__order",
    "edition__programme__name",
    "-edition__number",
    "edition_id",
    "tier__order",
    "tier_id",
    "category__order",
    "category_id",
    "order",
    "pk",
]
HISTORY_ORDERING = [
    "edition__year",
    "edition__number",
    "edition_id",
    "tier__order",
    "tier_id",
    "category__order",
    "category_id",
    "order",
    "pk",
]


def visible_edition_ids(at=None):
    """Ids of the editions whose results are public now, as a list (one query)."""
    return list(results_visible_editions(at).order_by("pk").values_list("pk", flat=True))


def public_awards(*, editions=None):
    """Awards of results-visible editions (or of `editions`, ids or a queryset, which the caller
    has taken from `results_visible_editions()`), with everything a public page prints.

    Queries: one for the awards (programme, edition, tier, category, submitting unit and
    commentator joined), one for the ordered lead units of all of them.
    """
    if editions is None:
        editions = results_visible_editions()
    return (
        Award.objects.filter(edition__in=editions)
        .select_related(
            "edition__programme",
            "case__submitting_unit",
            "case__category",
            "tier",
            "category",
            "commentator__affiliation",
        )
        .prefetch_related(
            Prefetch(
                "case__lead_unit_links",
                queryset=CaseLeadUnit.objects.select_related("unit").order_by("order", "pk"),
            )
        )
        .annotate(
            public_citation=CaseWhen(
                When(citation_status=CitationStatus.APPROVED, then=F("citation")),
                default=Value(""),
                output_field=CharField(),
            )
        )
        .defer("citation", "decision_reason")
    )


def edition_results(edition):
    """The awards of one (results-visible) edition, by tier, then category, then order."""
    return public_awards(editions=[edition.pk]).order_by(
        "tier__order", "tier_id", "category__order", "category_id", "order", "pk"
    )


@dataclass(frozen=True)
class ResultGroup:
    tier: object
    category: object  # None when the edition lists its results without categories
    awards: list


def group_results(awards, *, by_category):
    """Split awards ordered by tier (and category) into display groups."""
    groups = []
    for tier, in_tier in groupby(awards, key=lambda award: award.tier):
        in_tier = list(in_tier)
        if not by_category:
            groups.append(ResultGroup(tier=tier, category=None, awards=in_tier))
            continue
        for category, in_category in groupby(in_tier, key=lambda award: award.category):
            groups.append(ResultGroup(tier=tier, category=category, awards=list(in_category)))
    return groups


def public_award(*, edition, case_pk):
    """The award of case `case_pk` in results-visible `edition`, or None."""
    return edition_results(edition).filter(case_id=case_pk).first()


# --- Archive -----------------------------------------------------------------------------
def archive_awards(*, editions):
    return public_awards(editions=editions).order_by(*ARCHIVE_ORDERING)


def archive_programmes(*, editions):
    return Programme.objects.filter(editions__in=editions).distinct().order_by("order", "name")


def archive_years(*, editions):
    return list(
        Award.objects.filter(edition__in=editions)
        .order_by("-edition__year")
        .values_list("edition__year", flat=True)
        .distinct()
    )


def archive_category_names(*, editions):
    return list(
        Award.objects.filter(edition__in=editions, category__isnull=False)
        .order_by("category__name")
        .values_list("category__name", flat=True)
        .distinct()
    )


def archive_tier_names(*, editions):
    return list(
        Award.objects.filter(edition__in=editions)
        .order_by("tier__name")
        .values_list("tier__name", flat=True)
        .distinct()
    )


def region_subtree_q(region, prefix=""):
    """Q matching `region` and every region below it, through the relation `prefix`."""
    return Q(**{f"{prefix}path": region.path}) | Q(
        **{f"{prefix}path__startswith": f"{region.path}/"}
    )


def lead_unit_exists(**unit_filters):
    """Exists() filter for awards whose case has a lead unit matching `unit_filters`.

    An Exists keeps one row per award however many lead units match, without DISTINCT.
    """
    return Exists(CaseLeadUnit.objects.filter(case=OuterRef("case_id"), **unit_filters))


def lead_unit_in_region_exists(region):
    return Exists(
        CaseLeadUnit.objects.filter(case=OuterRef("case_id")).filter(
            region_subtree_q(region, prefix="unit__region__")
        )
    )


# --- History tables ----------------------------------------------------------------------
def units_with_public_awards(*, editions):
    """Units that led at least one case awarded in a results-visible edition."""
    return Unit.objects.filter(
        Exists(CaseLeadUnit.objects.filter(unit=OuterRef("pk"), case__award__edition__in=editions))
    )


def unit_history(unit, *, editions):
    """Awards of cases `unit` led (主创单位), oldest edition first, as seed 004 prints them."""
    return (
        public_awards(editions=editions)
        .filter(lead_unit_exists(unit=unit))
        .order_by(*HISTORY_ORDERING)
    )


def region_history(region, *, editions):
    """Awards of cases with a lead unit in `region` or any region below it."""
    return (
        public_awards(editions=editions)
        .filter(lead_unit_in_region_exists(region))
        .order_by(*HISTORY_ORDERING)
    )


def region_with_ancestors(region):
    """`region`'s ancestors and itself, root first, in one query (paths are prefixes)."""
    parts = region.path.split("/")
    paths = ["/".join(parts[: depth + 1]) for depth in range(len(parts))]
    return list(Region.objects.filter(path__in=paths).order_by("path"))


# --- Statistics --------------------------------------------------------------------------
@dataclass(frozen=True)
class EditionStatistics:
    entries_total: int
    awards_total: int
    entries_by_category: list  # [(label, count)]
    entries_by_region: list
    entries_by_level: list
    awards_by_tier: list
    awards_by_category: list


REGION_DEPTH = 2  # roll regions up to province › city (广东省/汕头市)


def edition_statistics(edition):
    """Counts for the statistics page, each one SQL aggregate (five queries in all).

    Entries are the cases once submitted and not withdrawn (`ENTRY_STATES`). Regions and levels
    are those of the submitting unit (报送单位), which is one per case, so no case is counted
    twice; regions are rolled up to `REGION_DEPTH` levels over the aggregated rows.
    """
    entries = Case.objects.filter(edition=edition, status__in=ENTRY_STATES)
    categories = (
        Category.objects.filter(edition=edition)
        .annotate(
            entries=Count("cases", filter=Q(cases__status__in=ENTRY_STATES), distinct=True),
            awarded=Count("awards", distinct=True),
        )
        .order_by("order", "pk")
    )
    entries_by_category = [(category.name, category.entries) for category in categories]
    awards_by_category = [(category.name, category.awarded) for category in categories]

    region_rows = (
        entries.values("submitting_unit__region__path")
        .annotate(n=Count("pk"))
        .order_by("submitting_unit__region__path")
    )
    by_region = {}
    for row in region_rows:
        path = row["submitting_unit__region__path"]
        label = " › ".join(path.split("/")[:REGION_DEPTH]) if path else _("未填写地区")
        by_region[label] = by_region.get(label, 0) + row["n"]
    entries_by_region = sorted(by_region.items(), key=lambda item: (-item[1], item[0]))

    level_counts = {
        row["submitting_unit__level"] or "": row["n"]
        for row in entries.values("submitting_unit__level").annotate(n=Count("pk")).order_by()
    }
    entries_by_level = [
        (level.label, level_counts[level.value])
        for level in UnitLevel
        if level.value in level_counts
    ]
    if "" in level_counts:
        entries_by_level.append((_("未填写层级"), level_counts[""]))

    tiers = edition.tiers.annotate(awarded=Count("awards")).order_by("order", "pk")
    awards_by_tier = [(tier.name, tier.awarded) for tier in tiers]

    return EditionStatistics(
        entries_total=sum(by_region.values()),
        awards_total=sum(count for _label, count in awards_by_tier),
        entries_by_category=entries_by_category,
        entries_by_region=entries_by_region,
        entries_by_level=entries_by_level,
        awards_by_tier=awards_by_tier,
        awards_by_category=awards_by_category,
    )

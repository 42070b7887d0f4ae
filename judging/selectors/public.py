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
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
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


def _first_lead_unit(case_ref):
    return CaseLeadUnit.objects.filter(case=case_ref).order_by("order", "pk")


def with_statistics_unit(queryset, prefix=""):
    """Annotate `stat_region_path` and `stat_level`: those of the case's submitting unit
    (报送单位), or of its first lead unit (主创单位) when the case has no submitting unit (the
    archive's cases). One unit per case, so no case is counted twice."""
    case_ref = OuterRef(f"{prefix}pk" if prefix else "pk")
    lead = _first_lead_unit(case_ref)
    no_submitter = Q(**{f"{prefix}submitting_unit__isnull": True})
    return queryset.annotate(
        stat_region_path=CaseWhen(
            When(no_submitter, then=Subquery(lead.values("unit__region__path")[:1])),
            default=F(f"{prefix}submitting_unit__region__path"),
            output_field=CharField(),
        ),
        stat_level=CaseWhen(
            When(no_submitter, then=Subquery(lead.values("unit__level")[:1])),
            default=F(f"{prefix}submitting_unit__level"),
            output_field=CharField(),
        ),
    )


def _region_label(path):
    return " › ".join(path.split("/")[:REGION_DEPTH]) if path else _("未填写地区")


def count_by_region(queryset):
    """`[(region label, count)]`, most first, over a queryset annotated by
    `with_statistics_unit`; regions rolled up to `REGION_DEPTH` levels."""
    by_region = {}
    rows = queryset.values("stat_region_path").annotate(n=Count("pk")).order_by()
    for row in rows:
        label = _region_label(row["stat_region_path"])
        by_region[label] = by_region.get(label, 0) + row["n"]
    return sorted(by_region.items(), key=lambda item: (-item[1], item[0]))


def count_by_level(queryset):
    """`[(level label, count)]` in the order of `UnitLevel`, unknown levels last."""
    counts = {}
    for row in queryset.values("stat_level").annotate(n=Count("pk")).order_by():
        key = row["stat_level"] or ""
        counts[key] = counts.get(key, 0) + row["n"]
    rows = [(level.label, counts.pop(level.value)) for level in UnitLevel if level.value in counts]
    unknown = sum(counts.values())
    if unknown:
        rows.append((_("未填写层级"), unknown))
    return rows


def _with_uncategorised(rows, total):
    """Add a 未分类 row for what no category holds, so the rows add up to `total`."""
    missing = total - sum(count for _label, count in rows)
    return [*rows, (_("未分类"), missing)] if missing else rows


def edition_statistics(edition):
    """Counts for the statistics page, each one SQL aggregate (five queries in all).

    Entries are the cases once submitted and not withdrawn (`ENTRY_STATES`). Regions and levels
    are those of the submitting unit (报送单位), else of the first lead unit; regions are rolled
    up to `REGION_DEPTH` levels over the aggregated rows. Every list adds up to its total:
    cases and awards without a category are counted as 未分类.
    """
    entries = with_statistics_unit(Case.objects.filter(edition=edition, status__in=ENTRY_STATES))
    categories = (
        Category.objects.filter(edition=edition)
        .annotate(
            entries=Count("cases", filter=Q(cases__status__in=ENTRY_STATES), distinct=True),
            awarded=Count("awards", distinct=True),
        )
        .order_by("order", "pk")
    )
    entries_by_region = count_by_region(entries)
    entries_total = sum(count for _label, count in entries_by_region)
    tiers = edition.tiers.annotate(awarded=Count("awards")).order_by("order", "pk")
    awards_by_tier = [(tier.name, tier.awarded) for tier in tiers]
    awards_total = sum(count for _label, count in awards_by_tier)
    return EditionStatistics(
        entries_total=entries_total,
        awards_total=awards_total,
        entries_by_category=_with_uncategorised(
            [(category.name, category.entries) for category in categories], entries_total
        ),
        entries_by_region=entries_by_region,
        entries_by_level=count_by_level(entries),
        awards_by_tier=awards_by_tier,
        awards_by_category=_with_uncategorised(
            [(category.name, category.awarded) for category in categories], awards_total
        ),
    )


@dataclass(frozen=True)
class ProgrammeStatistics:
    """A programme across its results-visible editions: each list is `[(label, entries,
    awards)]` and each adds up to the totals."""

    editions: int
    entries_total: int
    awards_total: int
    by_year: list
    by_region: list
    by_level: list


def _merge(entries_rows, award_rows):
    """`[(label, entries, awards)]`: the entries' labels in their order, then labels only
    awards have."""
    awards = dict(award_rows)
    entries = dict(entries_rows)
    labels = [label for label, _count in entries_rows] + [
        label for label, _count in award_rows if label not in entries
    ]
    return [(label, entries.get(label, 0), awards.get(label, 0)) for label in labels]


def programme_statistics(programme):
    """Cases and awards per year, per region and per administrative level over the
    programme's published editions (seven aggregate queries whatever the size)."""
    editions = results_visible_editions().filter(programme=programme)
    entries = with_statistics_unit(
        Case.objects.filter(edition__in=editions, status__in=ENTRY_STATES)
    )
    awards = with_statistics_unit(Award.objects.filter(edition__in=editions), prefix="case__")
    edition_years = list(editions.values_list("year", flat=True))
    years = sorted(set(edition_years))
    entries_by_year = {
        row["edition__year"]: row["n"]
        for row in entries.values("edition__year").annotate(n=Count("pk")).order_by()
    }
    awards_by_year = {
        row["edition__year"]: row["n"]
        for row in awards.values("edition__year").annotate(n=Count("pk")).order_by()
    }
    by_year = [
        (
            _("%(year)s年") % {"year": year},
            entries_by_year.get(year, 0),
            awards_by_year.get(year, 0),
        )
        for year in years
    ]
    level_order = [*UnitLevel.labels, _("未填写层级")]
    level_rows = _merge(count_by_level(entries), count_by_level(awards))
    return ProgrammeStatistics(
        editions=len(edition_years),
        entries_total=sum(entries_by_year.values()),
        awards_total=sum(awards_by_year.values()),
        by_year=by_year,
        by_region=_merge(count_by_region(entries), count_by_region(awards)),
        by_level=sorted(
            level_rows,
            key=lambda row: level_order.index(row[0]) if row[0] in level_order else 99,
        ),
    )

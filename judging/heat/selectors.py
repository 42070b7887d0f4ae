"""Reads of the heat rankings: the inputs of the formula, the published lists, a unit's
positions month by month. Every function runs a fixed number of queries."""

from collections import defaultdict

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from cases.selectors import results_visible_editions

from .formula import HeatInput, compute_list
from .models import (
    MAINSTREAM_LEVELS,
    HeatCoverage,
    HeatItem,
    HeatList,
    HeatPeriod,
    HeatResult,
    MentionCount,
)


def period_has_mentions(period):
    return MentionCount.objects.filter(item__list__period=period).exists()


def items_with_raw_counts(period):
    """The period's items with `online_raw` (sum over the series' platforms) and
    `mainstream_raw` (coverage records of 央级/省级 outlets), as subqueries so the two counts
    never multiply each other's rows."""
    platforms = period.series.platform_list
    online = (
        MentionCount.objects.filter(item=OuterRef("pk"), platform__in=platforms)
        .order_by()
        .values("item")
        .annotate(total=Sum("count"))
        .values("total")
    )
    mainstream = (
        HeatCoverage.objects.filter(item=OuterRef("pk"), outlet__level__in=MAINSTREAM_LEVELS)
        .order_by()
        .values("item")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return (
        HeatItem.objects.filter(list__period=period)
        .select_related("unit", "list")
        .annotate(
            online_raw=Coalesce(Subquery(online, output_field=IntegerField()), Value(0)),
            mainstream_raw=Coalesce(Subquery(mainstream, output_field=IntegerField()), Value(0)),
        )
        .order_by("list__order", "list_id", "title", "pk")
    )


def compute_period(period):
    """`{list_id: [(item, HeatFigures), …]}` recomputed from the stored data, each list in the
    order of its items (not ranked). Three queries."""
    has_mentions = period_has_mentions(period)
    series = period.series
    by_list = defaultdict(list)
    for item in items_with_raw_counts(period):
        by_list[item.list_id].append(item)
    computed = {}
    for list_id, items in by_list.items():
        figures = compute_list(
            [
                HeatInput(
                    key=item.pk,
                    online_mentions=item.online_raw if has_mentions else None,
                    mainstream_mentions=item.mainstream_raw,
                )
                for item in items
            ],
            transform=series.transform,
            online_weight=series.online_weight,
            coverage_weight=series.coverage_weight,
        )
        computed[list_id] = list(zip(items, figures, strict=True))
    return computed


def ranked(rows):
    return sorted(rows, key=lambda pair: (pair[1].rank, pair[0].title, pair[0].pk))


def period_for_edition(edition):
    """The heat period of an edition loaded with `with_heat_period`, or None (no query)."""
    try:
        return edition.heat_period
    except HeatPeriod.DoesNotExist:
        return None


def published_lists(period):
    """The period's lists, each with `rows`: its published results in rank order, with item and
    unit. Two queries whatever the number of lists and items."""
    return list(
        HeatList.objects.filter(period=period)
        .prefetch_related(
            Prefetch(
                "items",
                queryset=HeatItem.objects.filter(result__isnull=False)
                .select_related("unit", "result")
                .order_by("result__rank", "title", "pk"),
                to_attr="ranked_items",
            )
        )
        .order_by("order", "pk")
    )


def neighbour_periods(period):
    """The previous and next visible months of the same series (one query)."""
    visible = (
        HeatPeriod.objects.filter(
            series_id=period.series_id, edition__in=results_visible_editions()
        )
        .exclude(pk=period.pk)
        .select_related("edition__programme")
        .order_by("month")
    )
    previous = next_ = None
    for other in visible:
        if other.month < period.month:
            previous = other
        elif next_ is None:
            next_ = other
    return previous, next_


def units_with_heat_positions():
    return HeatResult.objects.filter(
        item__list__period__edition__in=results_visible_editions()
    ).values("item__unit")


def unit_positions(unit):
    """A unit's published positions, oldest month first (one query)."""
    return (
        HeatResult.objects.filter(
            item__unit=unit, item__list__period__edition__in=results_visible_editions()
        )
        .select_related("item__list__period__edition__programme")
        .order_by("item__list__period__month", "item__list__order", "item__title")
    )

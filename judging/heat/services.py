"""Writes of the heat rankings: publication (a freeze of the computed figures) and the check
that recomputes every published list (`verify_heat`, called by `manage.py verify_results`)."""

import collections
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cases.models import EDITION_TRANSITIONS, EditionStatus
from cases.selectors import results_visible_editions
from cases.services import audit_log, edition_transition

from ..cache import bump_results_version
from .models import HeatPeriod, HeatResult
from .selectors import compute_period

PUBLISHED_STATES = (EditionStatus.PUBLISHED, EditionStatus.ARCHIVED)


def _path_to_published(start):
    paths = collections.deque([(start, [])])
    seen = {start}
    while paths:
        state, path = paths.popleft()
        if state == EditionStatus.PUBLISHED:
            return path
        for following in sorted(EDITION_TRANSITIONS[state]):
            if following not in seen:
                seen.add(following)
                paths.append((following, [*path, following]))
    return []


def heat_period_publish(*, period, by, at=None):
    """Compute the period's lists from the stored counts, freeze the figures and ranks as
    `HeatResult`s and make the report public at `at` (the embargo; default now).

    A period already published is recomputed (a correction) and keeps its publication time
    unless `at` is given. The edition walks to 已发布 through `edition_transition`, one audited
    step at a time. Every public page of the edition is invalidated.
    """
    edition = period.edition
    with transaction.atomic():
        computed = compute_period(period)
        HeatResult.objects.filter(item__list__period=period).delete()
        results = [
            HeatResult(item=item, **figures.rounded())
            for rows in computed.values()
            for item, figures in rows
        ]
        HeatResult.objects.bulk_create(results)
        if at is not None or edition.results_published_at is None:
            edition.results_published_at = at or timezone.now()
            edition.save(update_fields=["results_published_at", "updated_at"])
        if edition.status not in PUBLISHED_STATES:
            for state in _path_to_published(EditionStatus(edition.status)):
                edition_transition(edition, state, by=by, reason="排行榜发布")
        period.computed_at = timezone.now()
        period.published_by = by if by is not None and by.is_authenticated else None
        period.save(update_fields=["computed_at", "published_by"])
        audit_log(
            code="judging.heat.period.published",
            obj=period,
            by=by,
            data={
                "results": len(results),
                "published_at": edition.results_published_at.isoformat(),
            },
        )
        transaction.on_commit(lambda: bump_results_version(edition))
    return period


@dataclass(frozen=True)
class HeatDifference:
    period: str
    item: str
    what: str
    stored: object
    recomputed: object


FIELDS = (
    "online_mentions",
    "mainstream_mentions",
    "online_index",
    "coverage_index",
    "composite",
    "rank",
)


def verify_heat(periods=None):
    """Recompute every published period (results visible, or results stored: an embargoed
    month too) from the stored counts and coverage records; return the differences, each
    naming the item by its unit and title."""
    if periods is None:
        published = Q(edition__in=results_visible_editions()) | Q(
            pk__in=HeatResult.objects.values("item__list__period")
        )
        periods = (
            HeatPeriod.objects.filter(published)
            .select_related("series", "edition__programme")
            .order_by("month", "pk")
        )
    differences = []
    for period in periods:
        stored = {
            result.item_id: result
            for result in HeatResult.objects.filter(item__list__period=period)
        }
        for rows in compute_period(period).values():
            for item, figures in rows:
                label = str(item)
                result = stored.pop(item.pk, None)
                if result is None:
                    differences.append(
                        HeatDifference(str(period), label, "result", None, "missing")
                    )
                    continue
                for name, value in figures.rounded().items():
                    if getattr(result, name) != value:
                        differences.append(
                            HeatDifference(str(period), label, name, getattr(result, name), value)
                        )
        for result in stored.values():
            differences.append(
                HeatDifference(str(period), str(result.item), "result", "stored", "no item")
            )
    return differences

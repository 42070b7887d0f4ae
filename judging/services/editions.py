"""Cloning an edition with its judging structure: every programme is annual, and next year's
edition starts as a copy of this year's categories, tiers, rounds, criteria and panels."""

from django.db import transaction

from cases.services import audit_log, edition_clone

from ..models import Criterion, Panel, PanelMembership, Round, RoundStatus

# Fields not carried over to the copy of a round: identity, the edition, state and times.
_ROUND_SKIP = {"id", "edition", "status", "opens_at", "closes_at", "created_at"}
_CRITERION_SKIP = {"id", "round"}
_PANEL_SKIP = {"id", "edition"}


def _copy_values(obj, skip):
    """Concrete field values of `obj` except `skip`, so that fields added to the model later
    are copied without touching this code."""
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.name not in skip and not f.primary_key
    }


def edition_clone_full(*, source, year, title, slug, by, number=None, period_label=""):
    """Copy `source` into a new draft edition: categories and tiers (`edition_clone`), then
    its judging structure (`edition_copy_judging`). Returns the new edition."""
    with transaction.atomic():
        edition, category_map, _tier_map = edition_clone(
            source=source,
            year=year,
            title=title,
            slug=slug,
            number=number,
            period_label=period_label,
            by=by,
        )
        edition_copy_judging(source=source, target=edition, category_map=category_map, by=by)
    return edition


def edition_copy_judging(*, source, target, category_map, by):
    """Copy the rounds of `source` (as drafts, open and close times cleared) with their
    criteria, and its panels with their categories (mapped through `category_map`, source
    category pk → copy) and memberships, onto `target`. Judges are the same people, so the
    memberships point at the same `Judge` rows."""
    with transaction.atomic():
        rounds = list(source.rounds.order_by("order", "pk").prefetch_related("criteria"))
        for round_ in rounds:
            copy = Round.objects.create(
                edition=target, status=RoundStatus.DRAFT, **_copy_values(round_, _ROUND_SKIP)
            )
            Criterion.objects.bulk_create(
                [
                    Criterion(round=copy, **_copy_values(criterion, _CRITERION_SKIP))
                    for criterion in round_.criteria.all()
                ]
            )
        panels = list(
            source.panels.order_by("name", "pk").prefetch_related("categories", "memberships")
        )
        for panel in panels:
            copy = Panel.objects.create(edition=target, **_copy_values(panel, _PANEL_SKIP))
            copy.categories.set(
                [category_map[c.pk] for c in panel.categories.all() if c.pk in category_map]
            )
            PanelMembership.objects.bulk_create(
                [
                    PanelMembership(panel=copy, judge_id=m.judge_id, role=m.role)
                    for m in panel.memberships.all()
                ]
            )
        audit_log(
            code="judging.edition.structure_cloned",
            obj=target,
            by=by,
            data={"source": source.pk, "rounds": len(rounds), "panels": len(panels)},
        )
    return target

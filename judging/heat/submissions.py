"""Items from the portal: units submit cases to a month's edition as to any call (the unit
portal, `/portal/`); the organiser then turns the submitted cases into items of the month.

A case goes to the list of its unit's administrative level (the first lead unit, else the
submitting unit) and of its kind: a category with the code `ACTIVITY` holds 活动, every other
category 案例. A case already an item, or whose level or kind has no list this month, is
skipped with the reason.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from cases.models import Case, CaseLeadUnit, CaseStatus
from cases.services import audit_log

from .models import HeatItem, HeatKind

ACTIVITY_CATEGORY_CODE = "ACTIVITY"
SUBMITTED_STATES = (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW)


@dataclass
class SubmissionReport:
    created: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (case, reason)


def _unit_of(case):
    links = list(case.lead_unit_links.all())
    return links[0].unit if links else case.submitting_unit or case.owner_unit


def items_from_submissions(*, period, by):
    """Create an item for every submitted case of the month's edition that is not one yet."""
    lists = {(heat_list.level, heat_list.kind): heat_list for heat_list in period.lists.all()}
    taken = set(
        HeatItem.objects.filter(list__period=period, case__isnull=False).values_list(
            "case_id", flat=True
        )
    )
    cases = (
        Case.objects.filter(edition=period.edition_id, status__in=SUBMITTED_STATES)
        .select_related("category", "submitting_unit", "owner_unit")
        .prefetch_related(
            Prefetch("lead_unit_links", queryset=CaseLeadUnit.objects.select_related("unit"))
        )
        .order_by("reference", "pk")
    )
    report = SubmissionReport()
    with transaction.atomic():
        for case in cases:
            if case.pk in taken:
                continue
            unit = _unit_of(case)
            code = case.category.code if case.category_id else ""
            kind = HeatKind.ACTIVITY if code == ACTIVITY_CATEGORY_CODE else HeatKind.CASE
            heat_list = lists.get((unit.level if unit else "", kind))
            if heat_list is None:
                report.skipped.append(
                    (
                        case,
                        _("本月没有“%(level)s · %(kind)s”榜单。")
                        % {
                            "level": unit.get_level_display() if unit and unit.level else "—",
                            "kind": HeatKind(kind).label,
                        },
                    )
                )
                continue
            if HeatItem.objects.filter(list=heat_list, unit=unit, title=case.title).exists():
                report.skipped.append((case, _("榜单中已有同一单位的同名条目。")))
                continue
            report.created.append(
                HeatItem.objects.create(list=heat_list, unit=unit, title=case.title, case=case)
            )
        if report.created:
            audit_log(
                code="judging.heat.items.from_submissions",
                obj=period,
                by=by,
                data={"created": [item.case_id for item in report.created]},
            )
    return report

"""Public pages of the heat rankings: the monthly report (the edition's results page, see
`judging.views.public.EditionResultsView`) and a unit's positions month by month."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from cases.models import Unit

from ..views.public import AllEditionsPageMixin
from . import selectors
from .charts import trend_chart

REPORT_TEMPLATE = "judging/heat/report.html"


def report_context(period):
    """What the monthly report page shows (four queries)."""
    previous, next_ = selectors.neighbour_periods(period)
    lists = selectors.published_lists(period)
    return {
        "period": period,
        "series": period.series,
        "heat_lists": lists,
        "has_online": any(
            item.result.online_index is not None
            for heat_list in lists
            for item in heat_list.ranked_items
        ),
        "previous_period": previous,
        "next_period": next_,
    }


class UnitHeatView(AllEditionsPageMixin, TemplateView):
    """A unit's published positions, month by month, with a trend chart. A unit that never
    appeared in a published list is a 404."""

    template_name = "judging/heat/unit_positions.html"

    def resolve(self):
        super().resolve()
        self.unit_id = self.kwargs["pk"]
        if not selectors.units_with_heat_positions().filter(item__unit=self.unit_id).exists():
            raise Http404

    @cached_property
    def unit(self):
        return get_object_or_404(Unit, pk=self.unit_id)

    def get_context_data(self, **kwargs):
        positions = list(selectors.unit_positions(self.unit))
        months, series = [], {}
        for result in positions:
            heat_list = result.item.list
            label = heat_list.period.edition.title
            if label not in months:
                months.append(label)
            name = f"{heat_list.title} · {result.item.title}"
            series.setdefault(name, {})[label] = result.rank
        chart = trend_chart(
            chart_id="heat-trend",
            title=_("%(unit)s 各月排行榜名次") % {"unit": self.unit.name},
            months=months,
            series=series,
        )
        return super().get_context_data(unit=self.unit, positions=positions, chart=chart, **kwargs)

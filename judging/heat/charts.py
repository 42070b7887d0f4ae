"""A unit's positions month by month as a server-drawn SVG line chart (no JavaScript, no
CDN, presentation attributes only so a strict CSP holds). Rank 1 is at the top; one line per
list the unit appeared in. The `<desc>` states every point; the page prints the table too."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

WIDTH = 640
HEIGHT = 240
LEFT = 48
RIGHT = 24
TOP = 24
BOTTOM = 40
COLOURS = ("#1f5fa8", "#b5452b", "#2e7d32", "#6a3d9a", "#8c6d1f", "#00838f")


@dataclass(frozen=True)
class Point:
    x: Decimal
    y: Decimal
    label: str
    rank: int


@dataclass(frozen=True)
class Line:
    name: str
    colour: str
    points: list

    @property
    def polyline(self):
        return " ".join(f"{p.x},{p.y}" for p in self.points)


@dataclass(frozen=True)
class TrendChart:
    chart_id: str
    title: str
    description: str
    width: int
    height: int
    lines: list
    months: list  # (x, label)
    ranks: list  # (y, rank) gridlines
    axis_x: int
    axis_bottom: int

    def render(self):
        return render_to_string("judging/heat/_trend_chart.html", {"chart": self})


def _round(value):
    return Decimal(value).quantize(Decimal("0.1"), ROUND_HALF_UP)


def trend_chart(*, chart_id, title, months, series):
    """`months`: labels in order; `series`: `{list name: {month label: rank}}`."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    worst = max((rank for ranks in series.values() for rank in ranks.values()), default=1)
    worst = max(worst, 2)

    def x_of(index):
        if len(months) == 1:
            return _round(LEFT + plot_w / 2)
        return _round(LEFT + Decimal(plot_w) * index / (len(months) - 1))

    def y_of(rank):
        return _round(TOP + Decimal(plot_h) * (rank - 1) / (worst - 1))

    lines = []
    descriptions = []
    for number, (name, ranks) in enumerate(series.items()):
        points = [
            Point(x=x_of(index), y=y_of(ranks[month]), label=month, rank=ranks[month])
            for index, month in enumerate(months)
            if month in ranks
        ]
        lines.append(Line(name=name, colour=COLOURS[number % len(COLOURS)], points=points))
        descriptions.append(
            _("%(list)s:%(points)s")
            % {
                "list": name,
                "points": "、".join(
                    _("%(month)s第%(rank)s名") % {"month": p.label, "rank": p.rank} for p in points
                ),
            }
        )
    step = max(1, (worst + 4) // 5)
    ranks = [(y_of(rank), rank) for rank in range(1, worst + 1, step)]
    return TrendChart(
        chart_id=chart_id,
        title=title,
        description=";".join(descriptions) or _("暂无数据"),
        width=WIDTH,
        height=HEIGHT,
        lines=lines,
        months=[(x_of(index), label) for index, label in enumerate(months)],
        ranks=ranks,
        axis_x=LEFT,
        axis_bottom=HEIGHT - BOTTOM,
    )

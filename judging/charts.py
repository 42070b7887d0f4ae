"""Server-rendered SVG charts for the public statistics page.

No JavaScript and no CDN: the geometry is computed here and drawn by a template as inline
SVG, styled from `static/css/public.css` (no `style=""`, so a strict CSP holds). Each chart
is an image with a `<title>` and a `<desc>` that states every number; the page prints the
same numbers in a table next to it.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

WIDTH = 640
LABEL_WIDTH = 210  # room for about 14 CJK characters at 14px
VALUE_WIDTH = 56
ROW_HEIGHT = 30
BAR_HEIGHT = 20
PADDING = 8
LABEL_CHARS = 14


@dataclass(frozen=True)
class Bar:
    label: str
    short_label: str
    value: int
    x: int
    y: Decimal
    width: Decimal
    text_y: Decimal
    value_x: Decimal


@dataclass(frozen=True)
class BarChart:
    chart_id: str
    title: str
    description: str
    bars: list
    width: int
    height: int
    label_x: int
    bar_height: int = BAR_HEIGHT

    def render(self):
        return render_to_string("judging/_public_bar_chart.html", {"chart": self})


def _scaled(value, maximum, span):
    if not maximum:
        return Decimal(0)
    return (Decimal(span) * value / maximum).quantize(Decimal("0.1"), ROUND_HALF_UP)


def bar_chart(*, chart_id, title, rows):
    """A horizontal bar chart of `rows`, a list of `(label, count)`, in the given order.

    A bar's length is proportional to its count, the longest spanning the whole plot area.
    """
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    maximum = max((value for _label, value in rows), default=0)
    bars = []
    for index, (label, value) in enumerate(rows):
        top = Decimal(PADDING + index * ROW_HEIGHT)
        width = _scaled(value, maximum, span)
        short = label if len(label) <= LABEL_CHARS else f"{label[: LABEL_CHARS - 1]}…"
        bars.append(
            Bar(
                label=label,
                short_label=short,
                value=value,
                x=LABEL_WIDTH,
                y=top,
                width=width,
                text_y=top + BAR_HEIGHT - 5,
                value_x=LABEL_WIDTH + width + 6,
            )
        )
    description = (
        _("；").join(
            _("%(label)s:%(count)s件") % {"label": label, "count": value} for label, value in rows
        )
        if rows
        else _("暂无数据")
    )
    return BarChart(
        chart_id=chart_id,
        title=title,
        description=description,
        bars=bars,
        width=WIDTH,
        height=max(len(rows), 1) * ROW_HEIGHT + 2 * PADDING,
        label_x=LABEL_WIDTH - 8,
    )

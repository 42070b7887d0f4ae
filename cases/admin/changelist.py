"""Change-list rows worked out once per page instead of once per cell.

Django's `items_for_result` looks every column up again for every row, reverses the change
URL and resolves it back (to merge the preserved filters) for every row: on a 100-row case
list that was half the page. `result_list` here gives the same context as
`django.contrib.admin.templatetags.admin_list.result_list` — the same cells, byte for byte
(tests/cases/test_admin.py compares them), joined into one item per row — from a plan of
the columns made once.
Editable lists and pop-ups keep Django's own rows.

`date_hierarchy` gives the context of Django's `date_hierarchy` tag, its distinct days,
months or years found without a date function per row (see `PeriodsFromBounds`).
"""

import contextlib
import datetime
import html

from django.conf import settings
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
)
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.db.models import Case, IntegerField, Max, Min, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, dates, timezone
from django.utils.formats import get_format
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, mark_safe

from .base import QuickActionCheckboxMixin

# Reversed in place of a primary key, then replaced by each row's: only URL-safe characters.
PK_PLACEHOLDER = "__rowpk__"


class Column:
    """One list_display entry: what Django decides per cell, decided once."""

    def __init__(self, cl, index, name, *, link, tag):
        self.name = name
        self.link = link
        self.tag = tag
        self.empty = cl.model_admin.get_empty_value_display()
        self.css = f"field-{admin_list._coerce_field_name(name, index)}"
        self.field = self.choices = self.datetime_format = self.checkbox = None
        if name == "action_checkbox" and (
            getattr(type(cl.model_admin), "action_checkbox", None)
            is QuickActionCheckboxMixin.action_checkbox
        ):
            self.checkbox = cl.model_admin.action_checkboxes()
            self.checkbox_classes = _markup(' class="action-checkbox"')
        # A ModelAdmin method as lookup_field finds it (looked up once, called per row).
        self.admin_method = None
        if callable(name):
            return
        try:
            field = _get_non_gfk_field(cl.lookup_opts, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            if hasattr(cl.model_admin, name) and name != "__str__":
                self.admin_method = getattr(cl.model_admin, name)
            return
        if field.auto_created:
            return  # Django shows these as plain values: the general path below.
        self.field = field
        self.is_fk = isinstance(field.remote_field, models.ManyToOneRel)
        if not self.is_fk and getattr(field, "flatchoices", None):
            # List-like choices are no dict keys: display_for_field copes with them per cell.
            # The labels (lazy translations) are made text once a page, not once a row.
            with contextlib.suppress(TypeError):
                self.choices = {value: str(label) for value, label in field.flatchoices}
        # Text without choices shows as itself: display_for_field's chain of type tests
        # ends in str() for it (URLField has a branch of its own).
        self.is_text = (
            self.choices is None
            and not self.is_fk
            and isinstance(field, (models.CharField, models.TextField))
            and not isinstance(field, models.URLField)
            and not getattr(field, "flatchoices", None)
        )
        # A date and time shows as display_for_field's localize(template_localtime(value)),
        # in the format of the page's language, looked up once.
        if isinstance(field, models.DateTimeField) and not getattr(field, "flatchoices", None):
            self.datetime_format = DatetimeFormat(get_format("DATETIME_FORMAT"))
        nowrap = isinstance(field, (models.DateField, models.TimeField, models.ForeignKey))
        self.classes = _markup(f' class="{self.css}{" nowrap" if nowrap else ""}"')
        self.plain_classes = _markup(f' class="{self.css}"')
        # A related row shows as its str(), the same for every row pointing at it.
        self.related_shown = {}

    def value(self, cl, result):
        """(the cell's content, its class attribute), as `items_for_result` computes them."""
        if self.checkbox is not None:
            return self.checkbox(result), self.checkbox_classes
        if self.field is None:
            return self._general_value(cl, result)
        try:
            value = getattr(result, self.name)
        except ObjectDoesNotExist:
            return self.empty, self.plain_classes
        if isinstance(value, str) and value.strip() == "":
            value = ""
        if self.is_fk:
            if value is None:
                return self.empty, self.classes
            shown = self.related_shown.get(value.pk)
            if shown is None:
                shown = self.related_shown[value.pk] = conditional_escape(value)
            return shown, self.classes
        if self.choices is not None:
            return self.choices.get(value, self.empty), self.classes
        if self.is_text:
            return (self.empty if value in self.field.empty_values else str(value)), self.classes
        if self.datetime_format is not None and type(value) is datetime.datetime:
            return self.datetime_format(value), self.classes
        return display_for_field(value, self.field, self.empty, avoid_link=self.link), self.classes

    def _general_value(self, cl, result):
        classes = [self.css]
        empty = self.empty
        try:
            if self.admin_method is not None:
                attr = self.admin_method
                value = attr(result)
            else:
                _field, attr, value = lookup_field(self.name, result, cl.model_admin)
        except ObjectDoesNotExist:
            return empty, _markup(f' class="{self.css}"')
        empty = getattr(attr, "empty_value_display", empty)
        if isinstance(value, str) and value.strip() == "":
            value = ""
        # Only columns that are no field, or an auto-created one, come here (see __init__).
        if self.name == "action_checkbox":
            classes = ["action-checkbox"]
        boolean = getattr(attr, "boolean", False)
        if isinstance(attr, property) and hasattr(attr, "fget"):
            boolean = getattr(attr.fget, "boolean", False)
        if type(value) is str and not boolean:
            shown = value or empty  # display_for_value's answer for text, without its chain
        else:
            shown = display_for_value(value, empty, boolean)
        if isinstance(value, (datetime.date, datetime.time)):
            classes.append("nowrap")
        return shown, _markup(f' class="{" ".join(classes)}"')


class DatetimeFormat:
    """`dateformat.format(template_localtime(value), format)` for one format, its pieces
    split once: Django splits the format again for every value and checks each value's
    offset for a DST gap (23 of the 42 µs of a case row). A format with a specifier other
    than the numeric ones and the month name below is left to Django."""

    NUMERIC = {
        "Y": lambda value: f"{value.year:04d}",
        "y": lambda value: f"{value.year % 100:02d}",
        "m": lambda value: f"{value.month:02d}",
        "n": lambda value: str(value.month),
        "d": lambda value: f"{value.day:02d}",
        "j": lambda value: str(value.day),
        "H": lambda value: f"{value.hour:02d}",
        "G": lambda value: str(value.hour),
        "i": lambda value: f"{value.minute:02d}",
        "s": lambda value: f"{value.second:02d}",
    }

    def __init__(self, format_string):
        self.format_string = format_string
        self.zone = timezone.get_current_timezone() if settings.USE_TZ else None
        self.pieces = []
        for index, piece in enumerate(dateformat.re_formatchars.split(str(format_string))):
            if index % 2:
                if piece == "F":
                    months = {number: str(name) for number, name in dates.MONTHS.items()}
                    self.pieces.append(lambda value, months=months: months[value.month])
                elif piece in self.NUMERIC:
                    self.pieces.append(self.NUMERIC[piece])
                else:
                    self.pieces = None
                    return
            elif piece:
                self.pieces.append(dateformat.re_escaped.sub(r"\1", piece))

    def __call__(self, value):
        local = value
        # template_localtime's conversion, with the page's time zone looked up once.
        if (
            self.zone is not None
            and not timezone.is_naive(value)
            and getattr(value, "convert_to_local_time", True)
        ):
            local = timezone.localtime(value, self.zone)
        if self.pieces is None:
            return dateformat.format(local, self.format_string)
        return "".join(piece if type(piece) is str else piece(local) for piece in self.pieces)


class RowPlan:
    def __init__(self, cl):
        self.cl = cl
        self.columns = []
        first = True
        for index, name in enumerate(cl.list_display):
            link = _link_in_col(first, name, cl)
            tag = "td"
            if link:
                tag = "th" if first else "td"
                first = False
            self.columns.append(Column(cl, index, name, link=link, tag=tag))
        self.url_parts = self._url_parts()

    def _url_parts(self):
        """The change URL with the preserved filters, split around the primary key, when
        every row's URL differs from another only there."""
        cl = self.cl
        if type(cl).url_for_result is not ChangeList.url_for_result:
            return None
        opts = cl.opts
        try:
            url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=(PK_PLACEHOLDER,),
                current_app=cl.model_admin.admin_site.name,
            )
        except NoReverseMatch:
            return None
        url = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": opts}, url)
        parts = url.split(PK_PLACEHOLDER)
        return (escape(parts[0]), escape(parts[1])) if len(parts) == 2 else None

    def link(self, result):
        """The escaped href of the row, or None when there is no change view to link to."""
        pk = getattr(result, self.cl.pk_attname)
        if self.url_parts is not None and type(pk) is int:
            before, after = self.url_parts
            return f"{before}{pk}{after}"
        try:
            url = self.cl.url_for_result(result)
        except NoReverseMatch:
            return None
        return escape(
            add_preserved_filters(
                {"preserved_filters": self.cl.preserved_filters, "opts": self.cl.opts}, url
            )
        )

    def cells(self, result):
        """The row's cells as text: escaped content in fixed markup, marked safe by the
        caller once a row."""
        cells = []
        for column in self.columns:
            shown, classes = column.value(self.cl, result)
            shown = _escaped(shown)
            if column.link:
                href = self.link(result)
                if href is not None:
                    shown = f'<a href="{href}">{shown}</a>'
                cells.append(f"<{column.tag}{classes}>{shown}</{column.tag}>")
            else:
                cells.append(f"<td{classes}>{shown}</td>")
        return cells


def _escaped(value):
    """conditional_escape(value), without its lazy-argument wrapper for the plain cases."""
    if type(value) is str:
        return html.escape(value)
    if isinstance(value, SafeData):
        return value
    return conditional_escape(value)


def _markup(html):
    """Cells and class attributes put together from escaped content and fixed markup."""
    return mark_safe(html)  # noqa: S308  (every variable part is escaped by the caller)


def _link_in_col(is_first, field_name, cl):
    if cl.list_display_links is None:
        return False
    if is_first and not cl.list_display_links:
        return True
    return field_name in cl.list_display_links


def result_list(cl):
    """The context of Django's `result_list` inclusion tag, rows from one `RowPlan`, and
    the body's rows as one string (`rows_html`, what admin/backoffice/
    change_list_results.html prints)."""
    if cl.formset or cl.is_popup:
        return admin_list.result_list(cl)
    headers = list(admin_list.result_headers(cl))
    plan = RowPlan(cl)
    # A row is one string of cells: nine variable nodes a row were a tenth of the page.
    rows = [_markup("".join(plan.cells(row))) for row in cl.result_list]
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": [admin_list.ResultList(None, [row]) for row in rows],
        "rows_html": _markup("\n".join(f"<tr>{row}</tr>" for row in rows)),
    }


# More periods than this (years of a long list) are left to the database's date function.
PERIODS_COMPARED = 100


def date_hierarchy(cl):
    """The context of Django's `date_hierarchy` tag: the same links from the same rows."""
    return admin_list.date_hierarchy(_DateHierarchyList(cl))


class _DateHierarchyList:
    """The change list as `admin_list.date_hierarchy` reads it, with `PeriodsFromBounds`
    as its queryset."""

    def __init__(self, cl):
        self._cl = cl
        # A paginator that counted the rows with their bounds (KeysFirstPaginator) saves
        # the date links their first query.
        known = getattr(getattr(cl, "paginator", None), "bounds", None)
        self.queryset = PeriodsFromBounds(cl.queryset, bounds=known)

    def __getattr__(self, name):
        return getattr(self._cl, name)


class PeriodsFromBounds:
    """A queryset whose `datetimes()` and `dates()` find the distinct days, months or years
    by comparing the column with each period's first instant, in one CASE over the rows
    between the first and the last: Django truncates every row's value, and on SQLite that
    is a Python function called per row (13.6 ms of a case list of 2,000 rows at 8,000
    cases), where the comparisons run in SQL on the indexed column. The periods are the
    same: those of the current time zone, each starting at its first local instant. The
    bounds are those the paginator read with its count (`bounds`), else the
    `aggregate(first=Min, last=Max)` the date hierarchy asks first, or one such query of
    its own."""

    def __init__(self, queryset, bounds=None):
        self._queryset = queryset
        self._bounds = dict(bounds or {})

    def __getattr__(self, name):
        return getattr(self._queryset, name)

    def aggregate(self, *args, **kwargs):
        field_name = None if args else _bounds_of(kwargs)
        if field_name in self._bounds:
            first, last = self._bounds[field_name]
            return {"first": first, "last": last}
        result = self._queryset.aggregate(*args, **kwargs)
        if field_name is not None:
            self._bounds[field_name] = (result["first"], result["last"])
        return result

    def datetimes(self, field_name, kind, *args, **kwargs):
        periods = None
        if not (args or kwargs) and settings.USE_TZ:
            zone = timezone.get_current_timezone()
            periods = self._periods(
                field_name,
                kind,
                lambda value: timezone.localtime(value, zone),
                lambda year, month, day: datetime.datetime(year, month, day, tzinfo=zone),
            )
        if periods is None:
            return self._queryset.datetimes(field_name, kind, *args, **kwargs)
        return periods

    def dates(self, field_name, kind, *args, **kwargs):
        periods = None
        if not (args or kwargs):
            periods = self._periods(field_name, kind, lambda value: value, datetime.date)
        if periods is None:
            return self._queryset.dates(field_name, kind, *args, **kwargs)
        return periods

    def _periods(self, field_name, kind, local, make):
        """The periods holding a value, ascending; None to leave it to the database."""
        if kind not in ("year", "month", "day"):
            return None
        if field_name not in self._bounds:
            self.aggregate(first=Min(field_name), last=Max(field_name))
        first, last = self._bounds[field_name]
        if first is None or last is None:
            return []
        starts = _period_starts(local(first), local(last), kind, make)
        if len(starts) > PERIODS_COMPARED + 1:
            return None
        if len(starts) <= 3:
            # The first value's period and the last's, and none between: no query needed.
            return starts[:-1]
        # Period i holds the values from starts[i] until starts[i + 1].
        period = Case(
            *(
                When(**{f"{field_name}__lt": start}, then=Value(index))
                for index, start in enumerate(starts[1:])
            ),
            output_field=IntegerField(),
        )
        found = (
            self._queryset.filter(
                **{f"{field_name}__gte": starts[0], f"{field_name}__lt": starts[-1]}
            )
            .annotate(_period=period)
            .order_by()
            .values_list("_period", flat=True)
            .distinct()
        )
        return [starts[index] for index in sorted(found)]


def _bounds_of(aggregates):
    """The field of `aggregate(first=Min(field), last=Max(field))`, else None."""
    first, last = aggregates.get("first"), aggregates.get("last")
    if len(aggregates) != 2 or not isinstance(first, Min):
        return None
    name = getattr(first.get_source_expressions()[0], "name", None)
    if name is not None and first == Min(name) and last == Max(name):
        return name
    return None


def _period_starts(first, last, kind, make):
    """The first instants of the periods from first's to last's, and of the one after."""
    year, month, day = first.year, first.month if kind != "year" else 1, 1
    if kind == "day":
        day = first.day
    starts = []
    while True:
        start = make(year, month, day)
        starts.append(start)
        if start > last or len(starts) > PERIODS_COMPARED + 1:
            return starts
        if kind == "year":
            year += 1
        elif kind == "month":
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        else:
            following = datetime.date(year, month, day) + datetime.timedelta(days=1)
            year, month, day = following.year, following.month, following.day

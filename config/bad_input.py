"""Query strings that no page of ours can use are answered 400 before any view runs.

Values travel from the query string into database lookups in many places the project does not
write itself (the admin's change-list filters take any `?field=value`, django-filter, search
boxes). Three kinds of value crash a database rather than match nothing, so they stop here:

- an integer beyond 64 bits (`?edition=999…9`): SQLite's "Python int too large", PostgreSQL's
  NumericValueOutOfRange on foreign-key lookups, which Django does not range-check;
- a NUL byte: PostgreSQL refuses it in any text parameter;
- a very long value: SQLite refuses a LIKE pattern over 50,000 bytes (admin search, icontains);
- a date part of 9999 or more (`?submitted_at__year=9999`): the admin's date hierarchy
  builds the year after it, past the last year a datetime holds, outside the `try` that turns
  a bad date into its "?e=1" redirect, and past 2³¹ its datetime() raises OverflowError, which
  that `try` does not catch either.

The same integers in the path (`/portal/cases/999…9/`: Django's `int` converter takes any
length) find nothing: a 404 before the view runs.

Form bodies are not checked here: a POST keeps what was typed and its form reports the error
next to the field (see the forms' max_length and validators).
"""

import datetime
import re

from django.conf import settings
from django.http import Http404
from django.shortcuts import render

INT64_MAX = 2**63 - 1
INTEGER = re.compile(r"\s*[+-]?\d+\s*")
DATE_PART = re.compile(r".+__(year|iso_year|month|day)")
LAST_YEAR = datetime.MAXYEAR


def query_value_problem(value, max_length):
    if len(value) > max_length:
        return "too long"
    if "\x00" in value:
        return "NUL byte"
    digits = _digits(value)
    if digits > 19 or (digits == 19 and abs(int(value)) > INT64_MAX):
        return "integer out of range"
    return None


def query_string_problem(query_dict, max_length):
    for name, values in query_dict.lists():
        for text in (name, *values):
            problem = query_value_problem(text, max_length)
            if problem:
                return problem
        if DATE_PART.fullmatch(name) and any(
            INTEGER.fullmatch(value) and abs(int(value)) >= LAST_YEAR for value in values
        ):
            return "date part out of range"
    return None


def _digits(value):
    """The significant digits of an integer's text, 0 for any other text."""
    if not INTEGER.fullmatch(value):
        return 0
    return len(value.strip().lstrip("+-").lstrip("0"))


class QueryStringGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        max_length = getattr(settings, "QUERY_VALUE_MAX_LENGTH", 2000)
        if request.META.get("QUERY_STRING") and query_string_problem(request.GET, max_length):
            return render(request, "400.html", status=400)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not -INT64_MAX - 1 <= value <= INT64_MAX:
                raise Http404
        return None

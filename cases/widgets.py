"""Native date and date-time pickers that round-trip their stored value.

A browser's `<input type="date">` accepts only `YYYY-MM-DD` (and `datetime-local` only
`YYYY-MM-DDTHH:MM`); anything else — such as the locale's `2026/12/02` that Django's plain
`DateInput` renders under zh-hans — shows an empty field, and the value is lost on the next
save. Every date or date-time input of the project uses these widgets.
"""

from django import forms

ISO_DATE = "%Y-%m-%d"
ISO_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class NativeDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATE)


class NativeDateTimeInput(forms.DateTimeInput):
    """Read and shown in Asia/Shanghai (TIME_ZONE)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATETIME_LOCAL)

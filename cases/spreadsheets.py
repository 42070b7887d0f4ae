"""Text that a spreadsheet would run as a formula (OWASP's CSV-injection advice): starting
with = + - @ or a tab or carriage return, it is written as a text cell in xlsx and prefixed
with an apostrophe in csv. Used by every export a person opens in Excel or WPS."""

from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value):
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def xlsx_value(sheet, value):
    """The value itself, or a text cell of a write-only `sheet` when it looks like a formula."""
    if looks_like_formula(value):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def csv_value(value):
    if value is None:
        return ""
    return "'" + value if looks_like_formula(value) else value

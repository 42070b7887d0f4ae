"""Spreadsheet import and export (xlsx, csv) of units and cases, with django-import-export.
The rules every import follows are in `base` (all or nothing, Excel row numbers, names must
match, units are never created from a case row)."""

from .base import (
    ExcelRowResult,
    ImportFileError,
    RowError,
    StrictImportResource,
    TextWidget,
    cell_text,
    excel_row,
    find_case,
    find_edition,
    split_names,
)
from .submissions import CaseResource
from .units import UnitResource

__all__ = [
    "CaseResource",
    "ExcelRowResult",
    "ImportFileError",
    "RowError",
    "StrictImportResource",
    "TextWidget",
    "UnitResource",
    "cell_text",
    "excel_row",
    "find_case",
    "find_edition",
    "split_names",
]

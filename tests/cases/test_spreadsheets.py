"""`xlsx_bytes` writes the rows' XML itself: it must be the XML openpyxl writes cell by cell."""

import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from cases.spreadsheets import _openpyxl_xlsx, xlsx_bytes

ROW = [
    "类别",
    " leading space",
    "trailing ",
    "  ",
    "",
    None,
    5,
    0,
    -3,
    2.5,
    1e-7,
    10**17,
    Decimal("8.50"),
    Decimal("-81.2345"),
    datetime.datetime(2026, 1, 2, 3, 4, 5, 600000),
    "a&b<c>\"'",
    True,
    False,
    "=1+1",
    "+x",
    "-",
    "@a",
    "\tt",
    "x\ny",
]

REPEATED = [
    1,
    True,
    1.0,
    Decimal("1"),
    Decimal("1.00"),
    0,
    False,
    0.0,
    -0.0,
    Decimal("0"),
    Decimal("-0"),
    Decimal("0.000"),
    Decimal("-0.00"),
    "1",
    "",
    "类别",
    datetime.datetime(2026, 1, 2, 3, 4, 5, 600000),
    datetime.datetime(2026, 1, 2, 3, 4, 5, 600000, fold=1),
    10**17,
    Decimal(10**17),
]


def parts(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        # core.xml holds the time the file was written.
        return {
            info.filename: archive.read(info)
            for info in archive.infolist()
            if info.filename != "docProps/core.xml"
        }


@pytest.mark.parametrize(
    "sheets",
    [
        [("排名", [ROW, [], [None, "z"]]), ("评分明细", [ROW])],
        [("no dates", [["text", 1]])],
        # Cells are kept by kind and value while a workbook is written: values that are
        # equal across kinds, or equal but written differently (zeros), repeated over rows
        # and sheets.
        [
            ("equal values", [ROW, ROW, REPEATED, REPEATED[::-1], REPEATED]),
            ("again", [REPEATED, ROW[::-1], [*ROW, *REPEATED]]),
        ],
        # Values openpyxl would turn into an error cell or refuse: written by openpyxl.
        [("error code", [["#N/A"]])],
        [("formula", [["=SUM(A1)"]])],
    ],
)
def test_xlsx_bytes_writes_what_openpyxl_writes_cell_by_cell(sheets):
    assert parts(xlsx_bytes(sheets)) == parts(_openpyxl_xlsx(sheets))


def test_xlsx_bytes_writes_formula_like_text_as_text():
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([("s", [["=1+1", "@a", 2]])])))

    sheet = book["s"]
    assert [(c.value, c.data_type) for c in sheet[1]] == [("=1+1", "s"), ("@a", "s"), (2, "n")]


def test_xlsx_bytes_refuses_an_aware_datetime_as_openpyxl_does():
    with pytest.raises(TypeError):
        xlsx_bytes([("s", [[datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)]])])

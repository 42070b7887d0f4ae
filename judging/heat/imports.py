"""Import of mention counts (the export of a third-party 传播指数 system): one row per item,
one column per platform.

The rules of the other back-office imports hold: all or nothing (one transaction, one bad
cell and nothing is written), every error names the row (Excel's numbering: header row 1)
and the column, names match exactly. An item is identified by 单位 + 名称 in the period.
A platform column that is absent leaves that platform without counts (the formula adds 0);
an empty cell is “no count”. The file is checked by content (xlsx is a zip, csv is UTF-8
text) and by size.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field

from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from cases.resources import cell_text
from cases.services import audit_log

from .models import HeatItem, MentionCount

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_COUNT = 10**15
UNIT_COLUMN = "单位"
TITLE_COLUMN = "名称"
IGNORED_COLUMNS = ("榜单", "序号")


class MentionImportError(Exception):
    def __init__(self, lines):
        super().__init__("\n".join(lines))
        self.lines = lines


@dataclass
class MentionImportReport:
    items: int = 0
    counts: int = 0
    platforms: list = field(default_factory=list)


def _cell_error(row, column, message):
    return _("第%(row)s行「%(column)s」列:%(message)s") % {
        "row": row,
        "column": column,
        "message": message,
    }


def read_table(upload):
    """The file's rows as lists of cells (header first). Raises MentionImportError."""
    if upload.size > MAX_BYTES:
        raise MentionImportError(
            [_("文件大小超过 %(limit)s 的上限。") % {"limit": filesizeformat(MAX_BYTES)}]
        )
    data = upload.read()
    if data[:4] == b"PK\x03\x04":
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError):
            raise MentionImportError([_("无法读取该 Excel 文件,请另存为 xlsx 后重试。")]) from None
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                break
        workbook.close()
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise MentionImportError(
                [_("文件既不是 xlsx,也不是 UTF-8 编码的 csv。请导出为 xlsx 或 UTF-8 csv。")]
            ) from None
        if "\x00" in text:
            raise MentionImportError([_("文件内容不是文本表格。")])
        rows = list(csv.reader(io.StringIO(text)))
    rows = [row for row in rows if any(cell_text(cell) for cell in row)]
    if len(rows) > MAX_ROWS + 1:
        raise MentionImportError([_("一次最多导入 %(count)s 行。") % {"count": MAX_ROWS}])
    if not rows:
        raise MentionImportError([_("文件是空的。")])
    return rows


def _count_of(value):
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError
        number = int(value)
    else:
        text = cell_text(value).replace(",", "")
        if not text.isdigit() or len(text) > 16:
            raise ValueError
        number = int(text)
    if number < 0 or number > MAX_COUNT:
        raise ValueError
    return number


def mentions_import(*, period, upload, by):
    """Replace the period's mention counts for the platforms in the file. All or nothing."""
    rows = read_table(upload)
    header = [cell_text(cell) for cell in rows[0]]
    platforms = period.series.platform_list
    errors = []
    for required in (UNIT_COLUMN, TITLE_COLUMN):
        if required not in header:
            errors.append(_("缺少「%(column)s」列。") % {"column": required})
    columns = {}
    for index, name in enumerate(header):
        if not name or name in (UNIT_COLUMN, TITLE_COLUMN, *IGNORED_COLUMNS):
            continue
        if name in columns:
            errors.append(_cell_error(1, name, _("列名重复。")))
        elif name not in platforms:
            errors.append(
                _cell_error(
                    1,
                    name,
                    _("不是本系列的平台。可用的平台:%(platforms)s。")
                    % {"platforms": "、".join(platforms)},
                )
            )
        else:
            columns[name] = index
    if not columns and not errors:
        errors.append(_("没有任何平台列。可用的平台:%(p)s。") % {"p": "、".join(platforms)})
    if errors:
        raise MentionImportError(errors)

    unit_index, title_index = header.index(UNIT_COLUMN), header.index(TITLE_COLUMN)
    items = {
        (item.unit_name, item.title): item
        for item in HeatItem.objects.filter(list__period=period).select_related("unit")
    }
    seen = {}
    counts = []
    for number, row in enumerate(rows[1:], start=2):
        cells = list(row) + [None] * (len(header) - len(row))
        unit_name, title = cell_text(cells[unit_index]), cell_text(cells[title_index])
        item = items.get((unit_name, title))
        if item is None:
            column = UNIT_COLUMN if not any(key[0] == unit_name for key in items) else TITLE_COLUMN
            errors.append(
                _cell_error(
                    number,
                    column,
                    _("本月榜单中没有单位“%(unit)s”的条目“%(title)s”。请先在后台添加该条目。")
                    % {"unit": unit_name[:100], "title": title[:100]},
                )
            )
            continue
        if item.pk in seen:
            errors.append(
                _cell_error(
                    number, TITLE_COLUMN, _("与第%(row)s行是同一条目。") % {"row": seen[item.pk]}
                )
            )
            continue
        seen[item.pk] = number
        for platform, index in columns.items():
            value = cells[index]
            if cell_text(value) == "":
                continue
            try:
                counts.append(MentionCount(item=item, platform=platform, count=_count_of(value)))
            except ValueError:
                errors.append(
                    _cell_error(
                        number,
                        platform,
                        _("“%(value)s”不是不小于 0 的整数提及量。")
                        % {"value": cell_text(value)[:30]},
                    )
                )
    if errors:
        raise MentionImportError(errors)
    with transaction.atomic():
        MentionCount.objects.filter(item__list__period=period, platform__in=columns).delete()
        MentionCount.objects.bulk_create(counts)
        audit_log(
            code="judging.heat.mentions.imported",
            obj=period,
            by=by,
            data={"items": len(seen), "counts": len(counts), "platforms": list(columns)},
        )
    return MentionImportReport(items=len(seen), counts=len(counts), platforms=list(columns))

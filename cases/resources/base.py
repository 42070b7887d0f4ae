"""The import rules every spreadsheet import of the back office follows (django-import-export).

Every import follows the same rules (`StrictImportResource`), shown on the admin import page:

- **All or nothing.** The whole file is imported in one transaction; one bad row and nothing is
  written. The organiser fixes the file and imports it again.
- **Errors name the row, the column and the reason**, in the UI language. Rows are numbered as
  Excel shows them: the header is row 1, the first data row is row 2 (for a CSV file these are
  its line numbers).
- **Column headers are fixed Chinese strings**: they are the file format, not UI text, so a
  file exported from an English session imports into a Chinese one and back.
- **Names must match.** Units, categories, tiers are referred to by their exact names. A unit
  named in a case row that does not exist is refused, never created: a unit needs a type and
  an administrative level the case row does not give, and creating units from free text
  splits one unit into near-duplicates (“濠江区人民政府” / “汕头市濠江区人民政府”) whose
  award history then falls apart. Units are imported first, from the unit file, which does
  create missing regions from their path (广东省/汕头市/濠江区).
"""

import copy
import re
from collections import defaultdict

from diff_match_patch import diff_match_patch
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from import_export import resources, widgets
from import_export.results import Result, RowResult

from ..models import Case, Programme, Unit

HEADER_ROWS = 1
UNIT_NAME_SEPARATORS = re.compile(r"\s*[、;;\n]\s*")


def excel_row(number):
    """The row number Excel shows for data row `number` (1-based, header excluded)."""
    return number + HEADER_ROWS


def cell_text(value):
    """A cell as stripped text: Excel gives numbers for phone numbers and years."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u3000", " ").strip()


def _column_list(columns):
    return pgettext("list separator", "、").join(
        pgettext("quoted column name", "「%(column)s」") % {"column": column} for column in columns
    )


def split_names(text):
    """`甲单位、乙单位;丙单位` → ["甲单位", "乙单位", "丙单位"] (order kept)."""
    return [name for name in UNIT_NAME_SEPARATORS.split(cell_text(text)) if name]


class RowError(ValueError):
    """A refused cell. `column` names the column the message is about when it is not the one
    being read (the programme column while resolving the edition)."""

    def __init__(self, message, *, column=None):
        super().__init__(message)
        self.column = column


class ImportFileError(Exception):
    """The file as a whole cannot be imported (a required column is missing)."""


class ExcelRowResult(Result):
    """An import result whose row numbers are Excel's (header = row 1), with the errors as
    ready-to-read lines for the organiser."""

    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(excel_row(number), row, validation_error)

    def append_error_row(self, number, row, errors):
        super().append_error_row(excel_row(number), row, errors)

    def row_errors(self):
        return [(excel_row(row.errors[0].number), row.errors) for row in self.rows if row.errors]

    def error_lines(self):
        """Every error as one sentence: `第1001行「主创单位」列:……`."""
        lines = [str(error.error) for error in self.base_errors]
        for number, errors in self.row_errors():
            lines += [
                _("第%(row)s行:%(message)s") % {"row": number, "message": error.error}
                for error in errors
            ]
        for row in self.invalid_rows:
            for column, messages in row.field_specific_errors.items():
                lines += [
                    _("第%(row)s行「%(column)s」列:%(message)s")
                    % {"row": row.number, "column": column, "message": message}
                    for message in messages
                ]
            lines += [
                _("第%(row)s行:%(message)s") % {"row": row.number, "message": message}
                for message in row.non_field_specific_errors
            ]
        return lines

    def has_any_errors(self):
        return self.has_errors() or self.has_validation_errors()


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return cell_text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class ChoiceWidget(widgets.Widget):
    """A choice by its Chinese label (党政机关) or its code (party_government); exported as
    the Chinese label."""

    def __init__(self, choices, *, blank=False):
        super().__init__()
        self.choices = choices
        self.blank = blank
        # Built once per language, not once per cell: a 2,000-row file asks thousands of
        # times, and each build switches the active language back and forth.
        self._lookups = {}
        self._labels = None

    def options(self):
        with translation.override("zh-hans"):
            return "、".join(str(label) for label in self.choices.labels)

    def lookup(self):
        """`{code or label, lower-cased: code}` in the active language and in Chinese."""
        language = translation.get_language()
        lookup = self._lookups.get(language)
        if lookup is None:
            lookup = {}
            for choice in self.choices:
                lookup[choice.value.lower()] = choice.value
                lookup[str(choice.label).lower()] = choice.value
                with translation.override("zh-hans"):
                    lookup[str(choice.label).lower()] = choice.value
            self._lookups[language] = lookup
        return lookup

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            if self.blank:
                return ""
            raise RowError(_("必须填写,可填:%(options)s。") % {"options": self.options()})
        try:
            return self.lookup()[text.lower()]
        except KeyError:
            raise RowError(
                _("“%(value)s”不是有效的选项,可填:%(options)s。")
                % {"value": text, "options": self.options()}
            ) from None

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        if self._labels is None:
            with translation.override("zh-hans"):
                self._labels = {choice.value: str(choice.label) for choice in self.choices}
        return self._labels[self.choices(value).value]


class YesNoWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


def find_edition(programme_text, edition_text, *, programme_column, edition_column):
    """The edition named by a programme (name, short name or 网址标识) and an edition (网址标识,
    title, or year when the programme has one edition that year)."""
    programme_text, edition_text = cell_text(programme_text), cell_text(edition_text)
    if not programme_text:
        raise RowError(_("必须填写评选活动。"), column=programme_column)
    programme = (
        Programme.objects.filter(
            Q(name=programme_text) | Q(short_name=programme_text) | Q(slug=programme_text)
        )
        .order_by("order", "pk")
        .first()
    )
    if programme is None:
        raise RowError(
            _("评选活动“%(name)s”不存在。") % {"name": programme_text}, column=programme_column
        )
    if not edition_text:
        raise RowError(_("必须填写届(网址标识、标题或年份)。"), column=edition_column)
    editions = programme.editions.select_related("programme")
    found = list(editions.filter(Q(slug=edition_text) | Q(title=edition_text))[:2])
    if not found and edition_text.isdigit():
        found = list(editions.filter(year=int(edition_text))[:2])
    if len(found) > 1:
        raise RowError(
            _("“%(programme)s”有不止一届与“%(edition)s”对应,请填写该届的网址标识。")
            % {"programme": programme, "edition": edition_text},
            column=edition_column,
        )
    if not found:
        raise RowError(
            _("“%(programme)s”没有“%(edition)s”这一届(可填网址标识、标题或年份)。")
            % {"programme": programme, "edition": edition_text},
            column=edition_column,
        )
    return found[0]


def find_case(edition, *, reference, title):
    """The case a row means: by 案例编号 when given, else by exact 案例名称 in the edition.
    Returns `(case or None, error message or None)`."""
    # Unordered on purpose: the case ordering follows the edition's, which would join the
    # edition and programme tables into a lookup made once per row of a 2,000-row file.
    cases = Case.objects.filter(edition=edition).order_by()
    if reference:
        return cases.filter(reference=reference).first(), None
    matches = list(cases.filter(title=title)[:2]) if title else []
    if len(matches) > 1:
        return None, _("该届有不止一个名为“%(title)s”的案例,请填写案例编号以指明是哪一个。") % {
            "title": title
        }
    return (matches[0] if matches else None), None


class EditionCases:
    """The cases of one edition by 案例编号 and by exact 案例名称, read in one query when an
    import first meets the edition, and kept as the import's own saves change them: a
    2,000-row file asked the database once per row, on an edition that grows as the file is
    imported. `find` gives what `find_case` gives."""

    def __init__(self, edition):
        self.edition = edition
        self.keys = {}  # pk → (reference, title)
        self.by_reference = {}
        self.by_title = defaultdict(set)
        cases = Case.objects.filter(edition=edition).order_by()
        for pk, reference, title in cases.values_list("pk", "reference", "title"):
            self._add(pk, reference, title)

    def _add(self, pk, reference, title):
        self.keys[pk] = (reference, title)
        if reference:
            self.by_reference[reference] = min(pk, self.by_reference.get(reference, pk))
        self.by_title[title].add(pk)

    def saved(self, case):
        """Keep the index as the database is after `case` (of this edition) was saved."""
        old = self.keys.pop(case.pk, None)
        if old is not None:
            reference, title = old
            if reference and self.by_reference.get(reference) == case.pk:
                del self.by_reference[reference]
            self.by_title[title].discard(case.pk)
        self._add(case.pk, case.reference, case.title)

    def find(self, *, reference, title):
        """`(case or None, error message or None)`, as `find_case`."""
        if reference:
            pk = self.by_reference.get(reference)
            return (Case.objects.get(pk=pk) if pk is not None else None), None
        matches = sorted(self.by_title.get(title, ())) if title else []
        if len(matches) > 1:
            return None, _("该届有不止一个名为“%(title)s”的案例,请填写案例编号以指明是哪一个。") % {
                "title": title
            }
        return (Case.objects.get(pk=matches[0]) if matches else None), None


class StyleFreeDiff(resources.Diff):
    """The import preview's changes per field, as `<ins>`/`<del>` without the inline
    `style="background:…"` that diff_match_patch's `diff_prettyHtml` writes: the strict CSP
    (style-src 'self') refuses it. static/css/admin-import-export.css colours them instead."""

    TAGS = {diff_match_patch.DIFF_INSERT: "ins", diff_match_patch.DIFF_DELETE: "del"}
    NEWLINE = SafeString("&para;<br>")  # as diff_prettyHtml shows a line break

    def __init__(self, resource, instance, new):
        # Only the preview (a dry run) shows the changes; reading every field of every row
        # twice and marking up the difference was a third of an 8,000-row import.
        self.shown = getattr(resource, "preview", True)
        if self.shown:
            super().__init__(resource, instance, new)
        else:
            self.left, self.right, self.new = [], [], new

    def compare_with(self, resource, instance):
        if self.shown:
            super().compare_with(resource, instance)

    def as_html(self):
        cells = []
        dmp = diff_match_patch()
        for left, right in zip(self.left, self.right, strict=False):
            if left != right and self.new:
                left = ""
            diff = dmp.diff_main(force_str(left), force_str(right))
            dmp.diff_cleanupSemantic(diff)
            cells.append(
                format_html_join(
                    "",
                    "<{}>{}</{}>",
                    (
                        (
                            tag,
                            format_html_join(
                                self.NEWLINE, "{}", ((line,) for line in text.split("\n"))
                            ),
                            tag,
                        )
                        for op, text in diff
                        for tag in [self.TAGS.get(op, "span")]
                    ),
                )
            )
        return cells


class StrictImportResource(resources.ModelResource):
    """All-or-nothing imports with errors keyed by column header, numbered as in Excel.

    Plain columns go through widgets; columns that name other records (units, editions,
    regions…) are resolved in `import_relations()` with a per-import memo, so a 1,000-row file
    does not look the same unit up a thousand times.
    """

    #: Headers the file must have; checked before any row is read.
    required_columns = ()

    @classmethod
    def get_diff_class(cls):
        return StyleFreeDiff

    #: Other headers people write for a column (推荐语 for 点评), mapped to ours.
    header_aliases = {}
    #: Foreign keys set from rows this import read itself: `full_clean` need not query
    #: again that each exists (one query per key per row on a 1,000-row file).
    resolved_foreign_keys = ()
    #: Run the model's `Meta.constraints` checks in `full_clean` (one query each per row).
    validate_model_constraints = True
    #: Columns that are exported for information and ignored on import.
    export_only = ()

    @classmethod
    def get_result_class(cls):
        return ExcelRowResult

    def get_import_fields(self):
        return [
            field
            for field in super().get_import_fields()
            if field.column_name not in self.export_only
        ]

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        self.preview = dry_run
        if not dry_run:
            # Only the preview shows each row's changes: the import itself need not copy
            # every row's instance to compare it afterwards (a deepcopy per row: 8,000 rows
            # took 1.5–2 s more CPU). The options of this resource object only.
            self._meta = copy.copy(self._meta)
            self._meta.skip_diff = True
        # One bad row rolls back the whole file, whatever the caller asked for.
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)

    def import_data_inner(
        self, dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs
    ):
        self.memo = {}
        self.seen_rows = {}
        self.row_plan = {}
        headers = [cell_text(header) for header in dataset.headers or []]
        dataset.headers = [self.header_aliases.get(header, header) for header in headers]
        missing = [column for column in self.required_columns if column not in dataset.headers]
        if missing:
            result = self.get_result_class()()
            result.total_rows = len(dataset)
            error = ImportFileError(
                _("第1行(表头)缺少以下列:%(missing)s。文件应包含的列:%(columns)s。")
                % {
                    "missing": _column_list(missing),
                    "columns": _column_list(f.column_name for f in self.get_import_fields()),
                }
            )
            self.handle_import_error(result, error, raise_errors)
            return result
        return super().import_data_inner(
            dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs
        )

    def import_row(self, row, instance_loader, **kwargs):
        self.row_plan = {}
        if all(cell_text(value) == "" for value in row.values()):
            row_result = self.get_row_result_class()()
            row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            return row_result
        return super().import_row(row, instance_loader, **kwargs)

    # --- per-row work ---------------------------------------------------------------------
    def import_instance(self, instance, row, **kwargs):
        errors = defaultdict(list)
        for field in self.get_import_fields():
            if field.readonly or not field.attribute or field.column_name not in row:
                continue
            try:
                field.save(instance, row, **kwargs)
            except ValueError as error:
                errors[getattr(error, "column", None) or field.column_name].append(str(error))
        self.import_relations(instance, row, errors, **kwargs)
        if errors:
            raise ValidationError(dict(errors))

    def import_relations(self, instance, row, errors, **kwargs):
        """Resolve the columns that name other records; add messages to `errors[column]`."""

    def resolve(self, errors, column, func, *args, **kwargs):
        """Call `func`; a `RowError` becomes a message under its column, and None is returned."""
        try:
            return func(*args, **kwargs)
        except RowError as error:
            errors[error.column or column].append(str(error))
            return None

    def remember(self, key, **kwargs):
        """Refuse a second row for the same record in one file (it would silently overwrite
        the first)."""
        number = excel_row(kwargs["row_number"])
        first = self.seen_rows.setdefault(key, number)
        if first != number:
            raise RowError(_("与第%(row)s行是同一条记录,请合并为一行。") % {"row": first})

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Model validation (`full_clean`) with its messages moved under the column headers."""
        errors = defaultdict(list)
        for column, messages in (import_validation_errors or {}).items():
            errors[column].extend(messages)
        columns = {
            field.attribute: field.column_name
            for field in self.get_import_fields()
            if field.attribute
        }
        exclude = {attribute for attribute, column in columns.items() if column in errors}
        exclude |= self.row_plan.get("unresolved", set()) | set(self.resolved_foreign_keys)
        try:
            instance.full_clean(
                exclude=exclude,
                validate_unique=validate_unique,
                validate_constraints=self.validate_model_constraints,
            )
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                if key in columns:
                    errors[columns[key]].extend(messages)
                elif key == NON_FIELD_ERRORS:
                    errors[NON_FIELD_ERRORS].extend(messages)
                else:
                    label = instance._meta.get_field(key).verbose_name
                    errors[NON_FIELD_ERRORS].extend(f"{label}:{message}" for message in messages)
        if errors:
            raise ValidationError(dict(errors))

    # --- lookups (memoised per import) ----------------------------------------------------
    def memoised(self, kind, key, func):
        bucket = self.memo.setdefault(kind, {})
        if key not in bucket:
            bucket[key] = func()
        return bucket[key]

    def cases_of(self, edition):
        """The edition's `EditionCases`, read once per import."""
        return self.memoised("edition-cases", edition.pk, lambda: EditionCases(edition))

    def unit_named(self, name, *, what):
        """The unit with exactly this name (one name: no splitting on separators)."""
        return self.lookup_units([cell_text(name)], what=what)[0]

    def units_named(self, text, *, what):
        """The units named in a cell, in order (`甲、乙;丙`)."""
        names = split_names(text)
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise RowError(
                _("%(what)s“%(name)s”重复填写。") % {"what": what, "name": duplicates[0]}
            )
        return self.lookup_units(names, what=what)

    def lookup_units(self, names, *, what):
        """Units by exact name; every unknown name is reported in one message."""
        units = [
            self.memoised("unit", name, lambda name=name: Unit.objects.filter(name=name).first())
            for name in names
        ]
        missing = [name for name, unit in zip(names, units, strict=True) if unit is None]
        if missing:
            raise RowError(
                _(
                    "%(what)s%(names)s不存在。请先导入或新建该单位(名称须与系统中完全一致),"
                    "本导入不会自动创建单位。"
                )
                % {
                    "what": what,
                    "names": pgettext("list separator", "、").join(f"“{name}”" for name in missing),
                }
            )
        return units

    def edition_of_row(self, row, *, programme_column, edition_column):
        key = (cell_text(row.get(programme_column)), cell_text(row.get(edition_column)))
        bucket = self.memo.setdefault("edition", {})
        if key not in bucket:
            try:
                bucket[key] = find_edition(
                    *key, programme_column=programme_column, edition_column=edition_column
                )
            except RowError as error:
                bucket[key] = error
        if isinstance(bucket[key], RowError):
            raise bucket[key]
        return bucket[key]

    def category_of(self, edition, text):
        text = cell_text(text)
        if not text:
            return None
        categories = self.memoised("categories", edition.pk, lambda: list(edition.categories.all()))
        for category in categories:
            if text in (category.name, category.code):
                return category
        raise RowError(
            _("“%(edition)s”没有类别“%(name)s”。可填:%(options)s。")
            % {
                "edition": edition,
                "name": text,
                "options": pgettext("list separator", "、").join(c.name for c in categories) or "—",
            }
        )

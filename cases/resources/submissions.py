"""案例: the case file (xlsx, csv)."""

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from import_export.exceptions import ImportError as RowImportError
from import_export.fields import Field
from import_export.results import RowResult

from ..bulk import insert_instances, insert_rows
from ..models import CASE_TRANSITIONS, Case, CaseLeadUnit, CaseStatus
from ..services import DomainError, audit_log, case_transition
from ..services.imports import reference_reserve
from .base import ChoiceWidget, RowError, StrictImportResource, TextWidget, cell_text


class CaseResource(StrictImportResource):
    """案例: matched by 届 + 案例编号, or by 届 + exact 案例名称 when the row has no 案例编号
    (drafts have none yet); a match is updated, anything else creates a new case.

    A new case gets its status from the file and belongs to its 报送单位 (or first 主创单位).
    On an existing case a different status goes through `case_transition`, so the transition
    table and the audit trail hold for imports too. Character limits of the edition are not
    enforced here: they govern the units' web form, while organisers import what was collected.
    """

    programme = Field(column_name="评选活动", readonly=True)
    edition = Field("edition", "届", readonly=True)
    category = Field("category", "类别", readonly=True)
    reference = Field("reference", "案例编号", widget=TextWidget(), readonly=True)
    title = Field("title", "案例名称", widget=TextWidget())
    lead_units = Field(column_name="主创单位", readonly=True)
    submitting_unit = Field("submitting_unit", "报送单位", readonly=True)
    summary = Field("summary", "案例简介", widget=TextWidget())
    background = Field("background", "背景", widget=TextWidget())
    practice = Field("practice", "主要做法", widget=TextWidget())
    outcomes = Field("outcomes", "取得成效", widget=TextWidget())
    promotion_value = Field("promotion_value", "推广价值", widget=TextWidget())
    contact_name = Field("contact_name", "联系人", widget=TextWidget())
    contact_phone = Field("contact_phone", "联系电话", widget=TextWidget())
    contact_email = Field("contact_email", "联系邮箱", widget=TextWidget())
    status = Field("status", "状态", widget=ChoiceWidget(CaseStatus, blank=True), readonly=True)

    required_columns = ("评选活动", "届", "案例名称")
    resolved_foreign_keys = ("edition", "category", "owner_unit", "submitting_unit", "created_by")
    # The one constraint, a unique 案例编号 per edition, holds already: a row with a known
    # number updates that case (get_instance) and a number twice in one file is refused.
    validate_model_constraints = False

    class Meta:
        model = Case
        fields = (
            "programme",
            "edition",
            "category",
            "reference",
            "title",
            "lead_units",
            "submitting_unit",
            "summary",
            "background",
            "practice",
            "outcomes",
            "promotion_value",
            "contact_name",
            "contact_phone",
            "contact_email",
            "status",
        )
        # The identity is edition + 案例编号, resolved in get_instance(); the title column is
        # named here only because it is always present.
        import_id_fields = ("title",)
        clean_model_instances = True
        skip_unchanged = False
        # No savepoint per row: the new cases a file creates are written in batches
        # (`write_new_cases`), an existing case is updated in a savepoint of its own
        # (`save_instance`). Nothing else of the library's bulk mode is used.
        use_bulk = True

    #: New cases written per INSERT or COPY.
    new_cases_per_batch = 1000

    def get_queryset(self):
        return Case.objects.select_related(
            "edition__programme", "category", "submitting_unit"
        ).prefetch_related(
            Prefetch("lead_unit_links", queryset=CaseLeadUnit.objects.select_related("unit"))
        )

    def dehydrate_programme(self, case):
        return case.edition.programme.name

    def dehydrate_edition(self, case):
        return case.edition.slug

    def dehydrate_category(self, case):
        return case.category.name if case.category_id else ""

    def dehydrate_lead_units(self, case):
        return "、".join(link.unit.name for link in case.lead_unit_links.all())

    def dehydrate_submitting_unit(self, case):
        return case.submitting_unit.name if case.submitting_unit_id else ""

    def dehydrate_status(self, case):
        return self.fields["status"].widget.render(case.status)

    def import_data_inner(self, dataset, dry_run, raise_errors, *args, **kwargs):
        self.new_cases = []  # rows whose new case is not written yet, in file order
        self.new_case_keys = set()
        self.write_errors = []
        self.raise_write_errors = raise_errors
        return super().import_data_inner(dataset, dry_run, raise_errors, *args, **kwargs)

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        pending = self.row_plan.get("pending")
        if pending is not None:
            if row_result.import_type == RowResult.IMPORT_TYPE_NEW:
                pending["result"] = row_result
            else:
                self.new_cases.remove(pending)
        return row_result

    def get_instance(self, instance_loader, row):
        try:
            edition = self.edition_of_row(row, programme_column="评选活动", edition_column="届")
        except RowError:
            return None  # reported by import_relations
        reference, title = cell_text(row.get("案例编号")), cell_text(row.get("案例名称"))
        if (edition.pk, reference or None, title if not reference else None) in self.new_case_keys:
            # The row names a case an earlier row creates: written first, it is found and
            # updated as when every row was saved at once.
            self.write_new_cases()
        case, error = self.cases_of(edition).find(reference=reference, title=title)
        if error:
            self.row_plan["match_error"] = error
        return case

    def import_relations(self, instance, row, errors, **kwargs):
        edition = self.resolve(
            errors,
            "届",
            self.edition_of_row,
            row,
            programme_column="评选活动",
            edition_column="届",
        )
        if edition is None:
            # The model's own "required" message would only repeat the one above.
            self.row_plan["unresolved"] = {"edition", "category"}
        elif instance.pk is None:
            instance.edition = edition
        reference = cell_text(row.get("案例编号"))
        if reference and reference != instance.reference:
            # A blank cell never wipes the number a case already has.
            instance.reference = reference
            self.row_plan["new_reference"] = True
        if "match_error" in self.row_plan:
            errors["案例名称"].append(self.row_plan["match_error"])
        if edition and instance.reference:
            key = ("case", edition.pk, instance.reference)
            self.resolve(errors, "案例编号", self.remember, key, **kwargs)
        elif edition and instance.title:
            key = ("case-title", edition.pk, instance.title)
            self.resolve(errors, "案例名称", self.remember, key, **kwargs)
        if edition and "类别" in row:
            instance.category = self.resolve(errors, "类别", self.category_of, edition, row["类别"])
        if "主创单位" in row:
            self.row_plan["lead_units"] = self.resolve(
                errors, "主创单位", self.units_named, row["主创单位"], what=_("主创单位")
            )
        if "报送单位" in row:
            name = cell_text(row["报送单位"])
            instance.submitting_unit = (
                self.resolve(errors, "报送单位", self.unit_named, name, what=_("报送单位"))
                if name
                else None
            )
        if "状态" in row:
            self.plan_status(instance, row, errors)
        if instance.pk is None:
            first_lead = (self.row_plan.get("lead_units") or [None])[0]
            instance.owner_unit = instance.submitting_unit or first_lead
            instance.created_by = kwargs.get("user")

    def plan_status(self, instance, row, errors):
        status = self.resolve(errors, "状态", self.fields["status"].widget.clean, row["状态"])
        if not status:
            return
        if instance.pk is None:
            instance.status = status
            return
        current = CaseStatus(instance.status)
        if status != current:
            if status not in CASE_TRANSITIONS[current]:
                errors["状态"].append(
                    _("案例当前状态为“%(from)s”,不能变更为“%(to)s”。")
                    % {"from": current.label, "to": CaseStatus(status).label}
                )
            else:
                self.row_plan["status"] = status

    def save_instance(self, instance, is_create, row, **kwargs):
        self.before_save_instance(instance, row, **kwargs)
        if is_create:
            self.plan_new_case(instance, row, **kwargs)
            return
        # An update sees the database as when every earlier row was saved at once.
        self.write_new_cases()
        with transaction.atomic():
            self.do_instance_save(instance, is_create)
            self.after_save_instance(instance, row, **kwargs)

    def plan_new_case(self, instance, row, **kwargs):
        """Queue a new case for `write_new_cases`: one INSERT per thousand rows instead of
        two statements and a savepoint per row (8,000 rows: 24,000 round trips)."""
        pending = {
            "instance": instance,
            "row": row,
            "number": kwargs["row_number"],
            "lead_units": self.row_plan.get("lead_units") or [],
            "result": None,
        }
        self.row_plan["pending"] = pending
        self.new_cases.append(pending)
        edition = instance.edition
        if instance.reference:
            self.new_case_keys.add((edition.pk, instance.reference, None))
        self.new_case_keys.add((edition.pk, None, instance.title))
        if self.row_plan.get("new_reference"):
            reference_reserve(edition=edition, reference=instance.reference)
        self.count_saved(instance)

    def write_new_cases(self):
        """INSERT the queued new cases and their lead units. Should the database refuse
        the batch, the cases are written again one by one to name the row it refuses."""
        pending, self.new_cases = self.new_cases, []
        self.new_case_keys.clear()
        if not pending:
            return
        try:
            with transaction.atomic():
                self.insert_new_cases(pending)
        except DatabaseError:
            for entry in pending:
                entry["instance"].pk = None
                entry["instance"]._state.adding = True
                try:
                    with transaction.atomic():
                        self.insert_new_cases([entry])
                except DatabaseError as error:
                    self.write_errors.append((entry, error))
        for entry in pending:
            if entry["instance"].pk is None:
                continue  # refused: reported by bulk_create, and the import rolled back
            self.cases_of(entry["instance"].edition).saved(entry["instance"])
            if entry["result"] is not None:
                entry["result"].object_id = entry["instance"].pk

    def insert_new_cases(self, pending):
        insert_instances([entry["instance"] for entry in pending], self.new_cases_per_batch)
        insert_rows(
            CaseLeadUnit,
            ("case", "unit", "order"),
            [
                (entry["instance"].pk, unit.pk, order)
                for entry in pending
                for order, unit in enumerate(entry["lead_units"])
            ],
        )

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Called by the library after the last row (bulk mode): write what is queued, and
        report a row the database refused as that row's error."""
        self.write_new_cases()
        errors, self.write_errors = self.write_errors, []
        for entry, error in errors:
            row_result = entry["result"]
            result.totals[RowResult.IMPORT_TYPE_NEW] -= 1
            result.totals[RowResult.IMPORT_TYPE_ERROR] += 1
            row_result.import_type = RowResult.IMPORT_TYPE_ERROR
            row_result.errors.append(
                self.get_error_result_class()(error, row=entry["row"], number=entry["number"])
            )
            result.append_error_row(entry["number"], entry["row"], row_result.errors)
            if self.raise_write_errors:
                raise RowImportError(error, number=entry["number"], row=entry["row"])

    def count_saved(self, instance):
        tally = self.memo.setdefault("tally", {}).setdefault(
            instance.edition_id, {"edition": instance.edition, "created": 0, "updated": 0}
        )
        tally["created" if self.row_plan.get("created") else "updated"] += 1

    def after_save_instance(self, instance, row, **kwargs):
        cases = self.cases_of(instance.edition)
        cases.saved(instance)
        lead_units = self.row_plan.get("lead_units")
        if lead_units is not None:
            current = [link.unit_id for link in instance.lead_unit_links.all()]
            if current != [unit.pk for unit in lead_units]:
                if current:
                    instance.lead_unit_links.all().delete()
                CaseLeadUnit.objects.bulk_create(
                    CaseLeadUnit(case=instance, unit=unit, order=order)
                    for order, unit in enumerate(lead_units)
                )
        if self.row_plan.get("new_reference"):
            reference_reserve(edition=instance.edition, reference=instance.reference)
        if "status" in self.row_plan:
            try:
                case_transition(
                    instance, self.row_plan["status"], by=kwargs.get("user"), reason=_("批量导入")
                )
            except DomainError as error:
                raise ValidationError({"状态": [str(error)]}) from error
        # Again: a transition to 已提交 may have given the case its 案例编号.
        cases.saved(instance)
        self.count_saved(instance)

    def before_save_instance(self, instance, row, **kwargs):
        self.row_plan["created"] = instance.pk is None

    def after_import(self, dataset, result, **kwargs):
        if result.has_any_errors():
            return
        for tally in self.memo.get("tally", {}).values():
            audit_log(
                code="cases.case.imported",
                obj=tally["edition"],
                by=kwargs.get("user"),
                data={
                    "created": tally["created"],
                    "updated": tally["updated"],
                    "file": kwargs.get("file_name") or "",
                },
            )

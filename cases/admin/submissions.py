"""Cases with their lead units, media coverage and attachments (never linked: files are
private), submitted versions and reference counters."""

from collections import defaultdict

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, F, Max, Min, Prefetch, QuerySet
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from ..models import (
    Attachment,
    Case,
    CaseLeadUnit,
    CaseVersion,
    Category,
    MediaCoverage,
    ReferenceCounter,
)
from ..resources import CaseResource
from .base import (
    HTTPS_URLS,
    BackofficeImportExportAdmin,
    EditionChoicesMixin,
    EditionListFilter,
    ReadOnlyAdmin,
    pretty_json,
)
from .shared_rows import rows_sharing_related


class CaseLeadUnitInline(admin.TabularInline):
    model = CaseLeadUnit
    fields = ("order", "unit")
    autocomplete_fields = ("unit",)
    extra = 0
    verbose_name_plural = _("主创单位(按排序先后署名)")


class MediaCoverageInline(admin.TabularInline):
    formfield_overrides = HTTPS_URLS
    model = MediaCoverage
    fields = ("order", "outlet", "url", "published_on")
    extra = 0


class AttachmentInline(admin.TabularInline):
    """Files are private: the inline shows what was uploaded, never a link to it."""

    model = Attachment
    fields = ("original_name", "kind", "file_size", "content_type", "sha256", "uploaded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("大小"))
    def file_size(self, attachment):
        return filesizeformat(attachment.size)


# What a row of the list shows (CaseAdmin.list_display, str() of the case in the checkbox's
# label and of its edition): every other column stays in the database.
CASE_ROW_FIELDS = (
    "id",
    "edition_id",
    "category_id",
    "reference",
    "title",
    "submitting_unit_id",
    "status",
    "submitted_at",
)
CASE_ROW_RELATED = {
    "edition": ("id", "programme_id", "title"),
    "edition__programme": ("id", "name", "short_name"),
    "category": ("id", "name"),
    "submitting_unit": ("id", "name"),
}


class KeysFirstPaginator(Paginator):
    """A page of cases as one query that first sorts the primary keys alone and cuts the
    page from them, then reads that page's rows. Sorted whole, every case of the category
    was read to keep a hundred, and on SQLite the rows' record spans its texts' pages:
    18 of the 20 ms of the list's main query at 8,000 cases. The keys come from
    case_category_order_idx (category, edition, reference) without the rows. The page is
    still a queryset (an editable list's formset takes one)."""

    def __init__(self, *args, bounds_of=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.bounds_of = bounds_of
        self.bounds = {}

    @cached_property
    def count(self):
        """The number of rows and, with `bounds_of` (the list's date_hierarchy field), the
        first and last of its values, in one query (`bounds`): the date links read them
        next (`PeriodsFromBounds`), which was a query of its own over the same rows."""
        queryset = self.object_list
        if self.bounds_of is None or not isinstance(queryset, QuerySet):
            return super().count
        found = queryset.aggregate(
            rows=Count("*"), first=Min(self.bounds_of), last=Max(self.bounds_of)
        )
        self.bounds[self.bounds_of] = (found["first"], found["last"])
        return found["rows"]

    def page(self, number):
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if not isinstance(queryset, QuerySet) or query.distinct or query.combinator:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ordering = query.order_by
        if connections[queryset.db].vendor == "sqlite":
            ordering = [_pk_off_index(term, queryset.model) for term in ordering]
        keys = queryset.order_by(*ordering).values("pk")[bottom:top]
        return self._get_page(queryset.filter(pk__in=keys), number, self)


def _pk_off_index(term, model):
    """The same order by `pk + 0` for a term `pk` or `-pk`: ordered by the rowid, SQLite's
    planner (no ANALYZE statistics) scanned the one-column category index and read every
    row through it, instead of the covering index (EXPLAIN QUERY PLAN)."""
    if isinstance(term, str) and term.lstrip("-") in ("pk", model._meta.pk.attname):
        key = F("pk") + 0
        return key.desc() if term.startswith("-") else key.asc()
    return term


class CaseChangeList(ChangeList):
    """The rows of the list load only the columns they show: the case texts are thousands
    of characters each, SQL sorts the rows with everything they carry, and every other
    field is one more value to convert per row. Their editions, categories and units are
    one instance each, shared by the rows (`rows_sharing_related`). The lead units come as
    (case, name) pairs, joined once per row here. Exports build their own queryset from
    `get_queryset()` and still read every field. The list is not editable (an editable
    list's formset would need the page as a queryset)."""

    def get_results(self, request):
        self.queryset = self.queryset.prefetch_related(None)
        super().get_results(request)
        self.result_list = rows_sharing_related(self.result_list, CASE_ROW_FIELDS, CASE_ROW_RELATED)
        names = defaultdict(list)
        for case_id, name in (
            CaseLeadUnit.objects.filter(case__in=[case.pk for case in self.result_list])
            # Within each case only: the model's ordering by case joins the case, its
            # edition and programme to sort by theirs.
            .order_by("case_id", "order", "pk")
            .values_list("case_id", "unit__name")
        ):
            names[case_id].append(name)
        separator = pgettext("list separator", "、")
        for case in self.result_list:
            case.listed_lead_units = separator.join(names[case.pk])


class CaseAdminForm(forms.ModelForm):
    # The admin builds the form's Meta (model and fields) from CaseAdmin.
    def clean(self):
        cleaned = super().clean()
        edition, category = cleaned.get("edition"), cleaned.get("category")
        if edition and category and category.edition_id != edition.pk:
            self.add_error(
                "category", gettext("类别“%(category)s”不属于所选的届。") % {"category": category}
            )
        return cleaned


@admin.register(Case)
class CaseAdmin(EditionChoicesMixin, BackofficeImportExportAdmin):
    exports_personal_data = True  # 联系人, 联系电话, 联系邮箱
    resource_classes = [CaseResource]
    form = CaseAdminForm
    list_display = (
        "reference",
        "title",
        "edition",
        "category",
        "lead_unit_names",
        "submitting_unit",
        "status",
        "submitted_at",
    )
    list_display_links = ("reference", "title")
    list_filter = (
        ("edition", EditionListFilter),
        "category__name",
        "status",
        "submitting_unit__level",
    )
    list_select_related = ("edition__programme", "category", "submitting_unit")
    search_fields = (
        "reference",
        "title",
        "submitting_unit__name",
        "lead_units__name",
        "owner_unit__name",
    )
    date_hierarchy = "submitted_at"
    autocomplete_fields = ("owner_unit", "submitting_unit")
    readonly_fields = (
        "reference",
        "status",
        "status_reason",
        "submitted_at",
        "created_by",
        "created_at",
        "updated_at",
        "version_history",
    )
    inlines = [CaseLeadUnitInline, MediaCoverageInline, AttachmentInline]
    fieldsets = (
        (
            None,
            {"fields": ("edition", "category", "reference", "title", "status", "status_reason")},
        ),
        (_("单位"), {"fields": ("owner_unit", "submitting_unit")}),
        (
            _("案例内容"),
            {"fields": ("summary", "background", "practice", "outcomes", "promotion_value")},
        ),
        (_("联系人"), {"fields": ("contact_name", "contact_phone", "contact_email")}),
        (
            _("记录"),
            {
                "fields": (
                    "declaration_accepted",
                    "created_by",
                    "created_at",
                    "updated_at",
                    "submitted_at",
                    "version_history",
                )
            },
        ),
    )

    @admin.display(description=_("提交版本"))
    def version_history(self, case):
        if case.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("portal:case-history", kwargs={"pk": case.pk}),
            gettext("查看各次提交的内容与改动"),
        )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("lead_unit_links", queryset=CaseLeadUnit.objects.select_related("unit"))
            )
        )

    paginator = KeysFirstPaginator

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return self.paginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            bounds_of=self.date_hierarchy,
        )

    def get_changelist(self, request, **kwargs):
        return CaseChangeList

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            kwargs["queryset"] = Category.objects.select_related("edition__programme")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        category = form.base_fields.get("category")
        if category is not None:
            if obj is not None:
                category.queryset = category.queryset.filter(edition=obj.edition_id)
            else:
                category.label_from_instance = lambda c: f"{c.edition} · {c.name}"
        return form

    @admin.display(description=_("主创单位"))
    def lead_unit_names(self, case):
        return case.listed_lead_units  # set by CaseChangeList.get_results


@admin.register(CaseLeadUnit)
class CaseLeadUnitAdmin(admin.ModelAdmin):
    list_display = ("unit", "case", "order")
    list_filter = (("case__edition", EditionListFilter),)
    list_select_related = ("unit", "case")
    search_fields = ("unit__name", "case__title", "case__reference")
    autocomplete_fields = ("case", "unit")


@admin.register(MediaCoverage)
class MediaCoverageAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("outlet", "url", "case", "published_on")
    list_filter = (("case__edition", EditionListFilter),)
    list_select_related = ("case",)
    search_fields = ("outlet", "url", "case__title", "case__reference")
    autocomplete_fields = ("case",)
    date_hierarchy = "published_on"


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    """What was uploaded, for checking (name, size, type, SHA-256) — never a file link."""

    list_display = ("original_name", "case", "kind", "file_size", "content_type", "uploaded_at")
    list_filter = ("kind", "content_type", ("case__edition", EditionListFilter))
    list_select_related = ("case",)
    search_fields = ("original_name", "sha256", "case__title", "case__reference")
    date_hierarchy = "uploaded_at"
    fields = (
        "case",
        "kind",
        "original_name",
        "file_size",
        "content_type",
        "sha256",
        "caption",
        "uploaded_by",
        "uploaded_at",
    )
    readonly_fields = fields

    @admin.display(description=_("大小"), ordering="size")
    def file_size(self, attachment):
        return filesizeformat(attachment.size)


@admin.register(CaseVersion)
class CaseVersionAdmin(ReadOnlyAdmin):
    list_display = ("case", "number", "submitted_by", "submitted_at")
    list_filter = (("case__edition", EditionListFilter),)
    list_select_related = ("case", "submitted_by")
    search_fields = ("case__reference", "case__title")
    date_hierarchy = "submitted_at"
    fields = ("case", "number", "submitted_by", "submitted_at", "content")
    readonly_fields = fields

    @admin.display(description=_("内容"))
    def content(self, version):
        return pretty_json(version.data)


@admin.register(ReferenceCounter)
class ReferenceCounterAdmin(ReadOnlyAdmin):
    list_display = ("edition", "prefix", "last_value")
    list_filter = (("edition", EditionListFilter),)
    list_select_related = ("edition__programme",)
    search_fields = ("prefix",)

"""The organisers' back office for the cases app (Django admin, in Chinese).

State changes go through `cases.services`; fields those services own (statuses, verification,
reference numbers) are read-only here. Files are private: no admin page links to one.
"""

import json
import re

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import models, transaction
from django.db.models import Count, Prefetch
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import SelectableFieldsExportForm

from .models import (
    Attachment,
    AuditEntry,
    AwardTier,
    Case,
    CaseLeadUnit,
    CaseVersion,
    Category,
    Edition,
    EditionStatus,
    MediaCoverage,
    Programme,
    ReferenceCounter,
    Region,
    Unit,
    UnitMembership,
    User,
)
from .resources import CaseResource, UnitResource
from .services import DomainError, edition_clone, edition_transition, unit_verify


# --- Shared pieces -----------------------------------------------------------------------
class EditionListFilter(admin.RelatedFieldListFilter):
    """Filter by edition, labelled “programme · title” in one query (the default filter
    would query the programme once per edition)."""

    def field_choices(self, field, request, model_admin):
        return [
            (edition.pk, str(edition))
            for edition in Edition.objects.select_related("programme").order_by(
                "programme__order", "-year", "-number"
            )
        ]


class EditionChoicesMixin:
    """Edition drop-downs labelled “programme · title” without a query per option."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Edition:
            kwargs["queryset"] = Edition.objects.select_related("programme")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class BackofficeExportForm(SelectableFieldsExportForm):
    """Column checkboxes labelled with the file's own Chinese headers."""

    def _get_field_label(self, resource, field_name):
        field = resource.fields.get(field_name)
        return field.column_name if field and field.column_name else field_name


class BackofficeImportExportAdmin(ImportExportModelAdmin):
    """Import and export in the two formats organisers use, with the import rules (all or
    nothing, Excel row numbers) on the import page."""

    formats = [XLSX, CSV]
    import_template_name = "admin/backoffice/import.html"
    export_form_class = BackofficeExportForm


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the code writes and nobody edits: viewable by organisers, never changed here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Links typed without a scheme are https (Django 6's default; silences its deprecation).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def pretty_json(data):
    return format_html("<pre>{}</pre>", json.dumps(data, ensure_ascii=False, indent=2))


# --- Programmes, editions, categories, tiers ----------------------------------------------
@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("name", "short_name", "slug", "hosts", "order")
    list_editable = ("order",)
    search_fields = ("name", "short_name", "slug", "hosts", "organisers")
    date_hierarchy = "created_at"


class CategoryInline(admin.TabularInline):
    model = Category
    fields = ("order", "name", "code", "partner_organiser", "description")
    extra = 0


class AwardTierInline(admin.TabularInline):
    model = AwardTier
    fields = ("order", "name", "quota", "quota_scope")
    extra = 0


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_ORDINAL = re.compile(r"第([0-9]+|[一二三四五六七八九十]+)届")
_CN_DIGITS = "零一二三四五六七八九"


def _cn_to_int(text):
    if "十" not in text:
        return _CN_DIGITS.index(text) if len(text) == 1 else None
    tens, _sep, units = text.partition("十")
    tens_value = _CN_DIGITS.index(tens) if tens else 1
    return tens_value * 10 + (_CN_DIGITS.index(units) if units else 0)


def _int_to_cn(value):
    if value < 10:
        return _CN_DIGITS[value]
    tens, units = divmod(value, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[units] if units else "")


def next_in_sequence(text):
    """Next year's label: every year +1 (2018—2019年度 → 2019—2020年度) and 第六届 → 第七届."""
    text = _YEAR.sub(lambda match: str(int(match.group()) + 1), text)

    def bump(match):
        number = match.group(1)
        if number.isdigit():
            return f"第{int(number) + 1}届"
        value = _cn_to_int(number)
        return match.group() if value is None or value >= 99 else f"第{_int_to_cn(value + 1)}届"

    return _ORDINAL.sub(bump, text)


def _transition_action(status):
    def action(modeladmin, request, queryset):
        modeladmin.transition_editions(request, queryset, status)

    action.__name__ = f"transition_to_{status.value}"
    return admin.action(description=format_lazy(_("状态变更为“{}”"), status.label))(action)


@admin.register(Edition)
class EditionAdmin(EditionChoicesMixin, admin.ModelAdmin):
    """Editions with their categories and tiers. Status changes are actions that go through
    `edition_transition`; "复制为下一届" goes through `clone_edition()`, which the judging app
    overrides to copy rounds and panels as well."""

    list_display = (
        "title",
        "programme",
        "year",
        "status",
        "opens_at",
        "closes_at",
        "case_count",
    )
    list_filter = ("programme", "status", "year")
    list_select_related = ("programme",)
    search_fields = ("title", "slug", "period_label", "programme__name", "programme__short_name")
    date_hierarchy = "closes_at"
    readonly_fields = ("status", "cloned_from", "created_at", "updated_at")
    inlines = [CategoryInline, AwardTierInline]
    actions = [*(_transition_action(status) for status in EditionStatus), "clone_as_next_year"]
    fieldsets = (
        (None, {"fields": ("programme", "number", "title", "period_label", "year", "slug")}),
        (_("征集"), {"fields": ("status", "call_text", "opens_at", "closes_at", "contact")}),
        (_("字数上限"), {"fields": ("summary_char_limit", "body_char_limit")}),
        (
            _("结果发布"),
            {
                "fields": (
                    "results_unordered",
                    "results_published_at",
                    "publicity_starts_at",
                    "publicity_ends_at",
                )
            },
        ),
        (_("记录"), {"fields": ("cloned_from", "created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(case_count=Count("cases"))

    @admin.display(description=_("案例数"), ordering="case_count")
    def case_count(self, edition):
        return edition.case_count

    def transition_editions(self, request, queryset, status):
        """Move every selected edition to `status`, or none of them: one refusal rolls the
        whole selection back, so the organiser never ends up with half the editions moved."""
        editions = list(queryset.select_related("programme"))
        refusals = []
        with transaction.atomic():
            for edition in editions:
                try:
                    edition_transition(edition, status, by=request.user)
                except DomainError as error:
                    refusals.append(str(error))
            if refusals:
                transaction.set_rollback(True)
        if refusals:
            for message in refusals:
                messages.error(request, message)
            if len(editions) > 1:
                messages.error(request, gettext("所选各届的状态均未变更。"))
            return
        messages.success(
            request,
            ngettext(
                "%(count)d 届的状态已变更为“%(status)s”。",
                "%(count)d 届的状态已变更为“%(status)s”。",
                len(editions),
            )
            % {"count": len(editions), "status": EditionStatus(status).label},
        )

    def next_edition_fields(self, edition):
        """Year, title and slug of the copy: next year's, derived from this edition's."""
        year = edition.year + 1
        title = next_in_sequence(edition.title)
        if title == edition.title:
            title = f"{edition.title}({year})"
        base = next_in_sequence(edition.slug)
        if base == edition.slug:
            base = f"{edition.slug}-{year}"
        base = base[:54]
        taken = set(edition.programme.editions.values_list("slug", flat=True))
        slug, suffix = base, 2
        while slug in taken:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        return {
            "year": year,
            "title": title[:200],
            "slug": slug,
            "period_label": next_in_sequence(edition.period_label),
        }

    def clone_edition(self, request, edition):
        """Copy `edition` as next year's draft. Returns what `edition_clone` returns,
        `(new_edition, category_map, tier_map)`; the action runs this in one transaction, so an
        override may copy more structure onto the maps and fail atomically."""
        return edition_clone(source=edition, by=request.user, **self.next_edition_fields(edition))

    @admin.action(description=_("复制为下一届"))
    def clone_as_next_year(self, request, queryset):
        for edition in queryset.select_related("programme"):
            try:
                with transaction.atomic():
                    new_edition = self.clone_edition(request, edition)[0]
            except DomainError as error:
                messages.error(request, str(error))
                continue
            url = reverse("admin:cases_edition_change", args=[new_edition.pk])
            messages.success(
                request,
                format_html(
                    gettext(
                        '已将“{source}”复制为<a href="{url}">{new}</a>(筹备中),'
                        "请核对征集时间和征集通知。"
                    ),
                    source=edition,
                    url=url,
                    new=new_edition,
                ),
            )


class EditionScopedAdmin(EditionChoicesMixin, admin.ModelAdmin):
    list_filter = (("edition", EditionListFilter),)
    list_select_related = ("edition__programme",)


@admin.register(Category)
class CategoryAdmin(EditionScopedAdmin):
    list_display = ("name", "code", "edition", "order", "partner_organiser")
    search_fields = ("name", "code", "edition__title", "partner_organiser")


@admin.register(AwardTier)
class AwardTierAdmin(EditionScopedAdmin):
    list_display = ("name", "edition", "order", "quota", "quota_scope")
    search_fields = ("name", "edition__title")


# --- Regions, units, users -----------------------------------------------------------------
@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("path", "name", "parent")
    list_select_related = ("parent",)
    search_fields = ("name", "path")
    autocomplete_fields = ("parent",)


class UnitMembershipInline(admin.TabularInline):
    model = UnitMembership
    fields = ("user", "unit", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user", "unit")
    extra = 0


@admin.register(Unit)
class UnitAdmin(BackofficeImportExportAdmin):
    resource_classes = [UnitResource]
    list_display = (
        "name",
        "type",
        "level",
        "region",
        "parent",
        "contact_phone",
        "verified",
        "verified_at",
    )
    list_filter = ("type", "level", "verified")
    list_select_related = ("region", "parent")
    search_fields = ("name", "region__path", "contact_phone")
    autocomplete_fields = ("region", "parent")
    readonly_fields = ("verified", "verified_at", "created_at")
    date_hierarchy = "created_at"
    inlines = [UnitMembershipInline]
    actions = ["verify_units"]

    @admin.action(description=_("核验通过"))
    def verify_units(self, request, queryset):
        verified = 0
        for unit in queryset:
            try:
                unit_verify(unit=unit, by=request.user)
            except DomainError as error:
                messages.warning(request, str(error))
            else:
                verified += 1
        if verified:
            messages.success(
                request,
                ngettext("已核验 %(count)d 个单位。", "已核验 %(count)d 个单位。", verified)
                % {"count": verified},
            )


@admin.register(UnitMembership)
class UnitMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "unit", "role", "created_at")
    list_filter = ("role",)
    list_select_related = ("user", "unit")
    search_fields = ("user__email", "user__full_name", "unit__name")
    autocomplete_fields = ("user", "unit")
    date_hierarchy = "created_at"


class BackofficeUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class BackofficeUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = BackofficeUserChangeForm
    add_form = BackofficeUserCreationForm
    list_display = ("email", "full_name", "unit_names", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "full_name", "phone", "unit_memberships__unit__name")
    ordering = ("email",)
    date_hierarchy = "date_joined"
    inlines = [UnitMembershipInline]
    readonly_fields = ("last_login", "date_joined", "email_confirmed_at")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("个人信息"), {"fields": ("full_name", "phone")}),
        (
            _("权限"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("重要日期"), {"fields": ("last_login", "date_joined", "email_confirmed_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("unit_memberships", queryset=UnitMembership.objects.select_related("unit"))
            )
        )

    @admin.display(description=_("所属单位"))
    def unit_names(self, user):
        return "、".join(membership.unit.name for membership in user.unit_memberships.all())


# --- Cases ---------------------------------------------------------------------------------
class CaseLeadUnitInline(admin.TabularInline):
    model = CaseLeadUnit
    fields = ("order", "unit")
    autocomplete_fields = ("unit",)
    extra = 0
    verbose_name = _("主创单位")
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
                )
            },
        ),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("lead_unit_links", queryset=CaseLeadUnit.objects.select_related("unit"))
            )
        )

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
        return "、".join(link.unit.name for link in case.lead_unit_links.all())


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


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit history: organisers read it; nobody — superusers included — adds, edits or
    deletes a row."""

    list_display = ("created_at", "code", "actor", "object_type", "object_repr")
    list_filter = ("code", "object_type", "created_at")
    list_select_related = ("actor",)
    search_fields = ("code", "object_repr", "object_id", "actor__email", "actor__full_name")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "code",
        "actor",
        "object_type",
        "object_id",
        "object_repr",
        "details",
    )
    readonly_fields = fields

    @admin.display(description=_("详情"))
    def details(self, entry):
        return pretty_json(entry.data)

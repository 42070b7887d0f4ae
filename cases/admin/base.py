"""Pieces the back-office admins share: edition filters and choices, the import/export
base, read-only admins."""

import json

from django.contrib import admin
from django.contrib.admin import helpers
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import SelectableFieldsExportForm

from ..models import Edition
from ..roles import EXPORT_PERSONAL_DATA


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


class QuickActionCheckboxMixin:
    """The change list's row checkbox as Django renders it, without a trip through the form
    renderer for each row: that trip was a quarter of the time of a 100-row case list."""

    def action_checkbox(self, obj):
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(_("Select this object for an action - {}"), str(obj)),
        )


class BackofficeImportExportAdmin(QuickActionCheckboxMixin, ImportExportModelAdmin):
    """Import and export in the two formats organisers use, with the import rules (all or
    nothing, Excel row numbers) on the import page."""

    formats = [XLSX, CSV]
    import_template_name = "admin/backoffice/import.html"
    export_form_class = BackofficeExportForm
    # Exports carrying 联系人/联系电话/联系邮箱 or e-mail addresses also need
    # `cases.export_personal_data` (cases.roles: 组织方管理员 only).
    exports_personal_data = False

    # django-import-export checks the codes of IMPORT_EXPORT_*_PERMISSION_CODE (settings);
    # an import creates and updates rows, so it needs both.
    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        if not self.has_view_permission(request):
            return False
        return not self.exports_personal_data or request.user.has_perm(EXPORT_PERSONAL_DATA)


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

"""Pieces the back-office admins share: edition filters and choices, the import/export
base, read-only admins."""

import html
import json

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest
from django.db import models
from django.shortcuts import redirect
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import SelectableFieldsExportForm

from ..audit.events import audit_model_export
from ..encryption import cipher
from ..encryption.fields import EncryptedCharField
from ..models import Edition
from ..roles import EXPORT_PERSONAL_DATA
from .import_storage import SignedConfirmImportForm, TokenMediaStorage, sign_import_file_name


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
        return self.action_checkboxes()(obj)

    def action_checkboxes(self):
        """`action_checkbox` for the rows of one page, its label translated once."""
        label = _("Select this object for an action - {}")
        name = escape(helpers.ACTION_CHECKBOX_NAME)

        def checkbox(obj):
            # format_html's steps, written out: two calls of it were most of the cell's time;
            # html.escape is what django.utils.html.escape applies, without its lazy wrapper.
            return mark_safe(  # noqa: S308  (the object's text and primary key are escaped)
                f'<input type="checkbox" name="{name}" value="{html.escape(str(obj.pk))}"'
                f' class="action-select" aria-label="{label.format(html.escape(str(obj)))}">'
            )

        return checkbox


class BackofficeImportExportAdmin(QuickActionCheckboxMixin, ImportExportModelAdmin):
    """Import and export in the two formats organisers use, with the import rules (all or
    nothing, Excel row numbers) on the import page."""

    formats = [XLSX, CSV]
    import_template_name = "admin/backoffice/import.html"
    export_form_class = BackofficeExportForm
    tmp_storage_class = TokenMediaStorage
    confirm_form_class = SignedConfirmImportForm

    def get_export_queryset(self, request):
        # The export page filters like its change list, from the query string; the change
        # list answers a parameter that is no filter by redirecting with ?e=1, the export
        # page let the error through (500). Exporting unfiltered instead would hand out more
        # than was asked for: a 400.
        try:
            return super().get_export_queryset(request)
        except IncorrectLookupParameters as error:
            raise BadRequest(str(error)) from error

    def get_confirm_form_kwargs(self, request, import_form=None):
        kwargs = super().get_confirm_form_kwargs(request, import_form)
        return {
            **kwargs,
            "user": request.user,
            "model_label": self.opts.label,
            "format_count": len(self.get_import_formats()),
            "resource_count": len(self.get_import_resource_classes(request)),
        }

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if "import_file_name" in initial:
            initial["import_file_name"] = sign_import_file_name(
                initial["import_file_name"], user=request.user, model_label=self.opts.label
            )
        return initial

    def process_import(self, request, **kwargs):
        # A confirmation whose hidden fields were not made for this user and this import
        # (edited, forged, expired, another organiser's) reads nothing: back to the upload.
        if request.method == "POST" and self.has_import_permission(request):
            confirm_form = self.create_confirm_form(request)
            if not confirm_form.is_valid():
                messages.error(request, SignedConfirmImportForm.refused)
                return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")
        return super().process_import(request, **kwargs)

    def get_data_for_export(self, request, queryset, **kwargs):
        dataset = super().get_data_for_export(request, queryset, **kwargs)
        request._audit_export = (len(dataset), list(dataset.headers or ()))
        return dataset

    def get_export_data(self, file_format, request, queryset, **kwargs):
        """The file, and one audit row saying who exported how many rows of which columns."""
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        rows, columns = getattr(request, "_audit_export", (None, []))
        audit_model_export(
            model=self.model,
            request=request,
            file_format=file_format.get_extension(),
            rows=rows,
            filename=self.get_export_filename(request, queryset, file_format),
            fields=columns,
        )
        return data

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


class EncryptedFieldsNotSearchedMixin:
    """With encryption at rest on (DATA-02) a phone number in the database is a token that
    no search term matches: such fields are left out of the search instead of being searched
    in vain."""

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if cipher() is None:
            return fields
        model_fields = {f.name: f for f in self.model._meta.concrete_fields}
        return tuple(
            name for name in fields if not isinstance(model_fields.get(name), EncryptedCharField)
        )

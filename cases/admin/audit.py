"""The audit history: read by organisers, edited by nobody."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import AuditEntry
from .base import ReadOnlyAdmin, pretty_json


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

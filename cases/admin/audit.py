"""The audit trail in the back office: read by whoever holds `cases.view_auditentry` (the
审计管理员 group holds that alone), changed or deleted by nobody, superusers included."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import AuditEntry, QuarantinedFile
from .base import ReadOnlyAdmin, pretty_json


class ActorFilter(admin.SimpleListFilter):
    title = _("操作人")
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        labels = (
            AuditEntry.objects.exclude(actor_label="")
            .order_by("actor_label")
            .values_list("actor_label", flat=True)
            .distinct()
        )
        return [("-", _("(系统,无操作人)")), *((label, label) for label in labels)]

    def queryset(self, request, queryset):
        if self.value() == "-":
            return queryset.filter(actor_label="")
        if self.value():
            return queryset.filter(actor_label=self.value())
        return queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "seq",
        "time_with_offset",
        "code",
        "actor_label",
        "result",
        "ip",
        "object_type",
        "object_repr",
    )
    list_display_links = ("seq", "time_with_offset")
    list_filter = ("code", ActorFilter, "result", "object_type", "created_at")
    search_fields = ("code", "object_repr", "object_id", "actor_label", "ip", "user_agent")
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = (
        "seq",
        "time_with_offset",
        "code",
        "result",
        "actor_label",
        "actor_id",
        "ip",
        "user_agent",
        "object_type",
        "object_id",
        "object_repr",
        "details",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields

    @admin.display(description=_("时间(北京时间)"), ordering="created_at")
    def time_with_offset(self, entry):
        # Stored in UTC; shown in Asia/Shanghai with the offset so an exported screenshot
        # or copy is unambiguous.
        return timezone.localtime(entry.created_at).isoformat(sep=" ", timespec="seconds")

    @admin.display(description=_("详情"))
    def details(self, entry):
        return pretty_json(entry.data)


@admin.register(QuarantinedFile)
class QuarantinedFileAdmin(ReadOnlyAdmin):
    """Infected uploads, for the security officer; the files themselves are not served."""

    list_display = ("created_at", "original_name", "signature", "size", "sha256", "uploaded_by")
    list_select_related = ("uploaded_by",)
    search_fields = ("original_name", "signature", "sha256")
    fields = ("created_at", "original_name", "signature", "size", "sha256", "uploaded_by")
    readonly_fields = fields

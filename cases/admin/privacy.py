"""Deletion requests of personal data (SECURITY.md DATA-03): the person asks on 我的个人信息,
an organiser carries the request out or refuses it here (cases.services.privacy)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import PersonalDataRequest
from ..services import DomainError
from ..services.privacy import deletion_carry_out, deletion_refuse


@admin.register(PersonalDataRequest)
class PersonalDataRequestAdmin(admin.ModelAdmin):
    list_display = ("user_label", "status", "created_at", "handled_at", "handled_by")
    list_filter = ("status",)
    list_select_related = ("handled_by",)
    search_fields = ("user_label",)
    readonly_fields = (
        "user",
        "user_label",
        "reason",
        "status",
        "created_at",
        "handled_at",
        "handled_by",
    )
    fields = readonly_fields[:5] + ("response",) + readonly_fields[5:]
    actions = ["carry_out", "refuse"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the request is the record of how the person's right was answered

    def _decide(self, request, queryset, decide):
        """Hands each selected request to `decide` (a service), with its 处理意见; a request
        that cannot be decided is named with the reason, the others go on."""
        done = 0
        for item in queryset:
            try:
                decide(request=item, by=request.user, response=item.response)
            except DomainError as error:
                messages.warning(request, f"{item}: {error}")
            else:
                done += 1
        if done:
            messages.success(
                request,
                ngettext("已处理 %(count)d 份删除申请。", "已处理 %(count)d 份删除申请。", done)
                % {"count": done},
            )

    @admin.action(
        description=_("执行删除(匿名化账号,保留申报材料和审计记录)"), permissions=["change"]
    )
    def carry_out(self, request, queryset):
        self._decide(request, queryset, deletion_carry_out)

    @admin.action(description=_("不予删除(理由写在处理意见中)"), permissions=["change"])
    def refuse(self, request, queryset):
        self._decide(request, queryset, deletion_refuse)

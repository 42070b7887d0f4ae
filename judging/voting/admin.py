"""The public vote in the back office: settings with 开启投票 / 结束投票, the votes with 作废,
the anomaly report and the combined result before publication. Every page and action checks
a Django permission of these models; staff status alone opens nothing."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.services import DomainError

from ..models import Round, RoundKind
from . import selectors, services
from .models import PublicVote, PublicVoteSettings


@admin.register(PublicVoteSettings)
class PublicVoteSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "round",
        "status",
        "source_round",
        "votes_per_day",
        "votes_per_case",
        "expert_weight",
        "public_weight",
        "pages",
    )
    list_select_related = ("round__edition__programme", "source_round__edition__programme")
    fields = (
        "round",
        "source_round",
        "votes_per_day",
        "votes_per_case",
        "expert_weight",
        "public_weight",
    )
    actions = ["open_votes", "close_votes"]

    def has_open_permission(self, request, obj=None):
        return request.user.has_perm("judging.open_publicvote")

    @admin.display(description=gettext_lazy("状态"))
    def status(self, obj):
        return obj.round.get_status_display()

    @admin.display(description=gettext_lazy("页面"))
    def pages(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:judging_publicvote_report", args=[obj.round_id]),
            _("异常监测"),
            reverse("admin:judging_publicvotesettings_result", args=[obj.round_id]),
            _("综合结果"),
            reverse("voting:ballot", args=[obj.round_id]),
            _("公众页面"),
        )

    def get_urls(self):
        return [
            path(
                "result/<int:round_pk>/",
                self.admin_site.admin_view(self.result_view),
                name="judging_publicvotesettings_result",
            ),
            *super().get_urls(),
        ]

    def _run(self, request, queryset, service, done):
        for rules in queryset.select_related("round"):
            try:
                service(round=rules.round, by=request.user)
            except DomainError as error:
                self.message_user(request, f"{rules.round}:{error}", messages.ERROR)
            else:
                self.message_user(request, done % {"round": rules.round}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("开启投票"), permissions=["open"])
    def open_votes(self, request, queryset):
        self._run(request, queryset, services.public_vote_open, _("“%(round)s”的投票已开启。"))

    @admin.action(description=gettext_lazy("结束投票并计算综合结果"), permissions=["open"])
    def close_votes(self, request, queryset):
        self._run(
            request,
            queryset,
            services.public_vote_close,
            _("“%(round)s”的投票已结束,综合结果已计算。"),
        )

    def result_view(self, request, round_pk):
        """The combined result as recomputed now (before publication too)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        round_ = Round.objects.filter(pk=round_pk, kind=RoundKind.PUBLIC_VOTE).first()
        if round_ is None or not PublicVoteSettings.objects.filter(round=round_).exists():
            raise Http404
        result = selectors.combined_result(round_)
        return TemplateResponse(
            request,
            "admin/judging/publicvote/result.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("综合结果:%(round)s") % {"round": round_},
                "round": round_,
                "rules": result.rules,
                "groups": result.by_category(),
                "entries": result.entries,
            },
        )


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("作废理由"), max_length=services.VOID_REASON_MAX, widget=forms.Textarea
    )


@admin.register(PublicVote)
class PublicVoteAdmin(admin.ModelAdmin):
    list_display = ("created_at", "round", "case", "voter", "network", "ip", "is_valid")
    list_filter = ("round", ("voided_at", admin.EmptyFieldListFilter))
    search_fields = ("network", "ip")
    list_select_related = ("round__edition__programme", "case", "voter")
    readonly_fields = [f.name for f in PublicVote._meta.fields]
    actions = ["void_selected"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_void_permission(self, request, obj=None):
        return request.user.has_perm("judging.void_publicvote")

    @admin.display(boolean=True, description=gettext_lazy("有效"))
    def is_valid(self, obj):
        return obj.voided_at is None

    def get_urls(self):
        return [
            path(
                "report/<int:round_pk>/",
                self.admin_site.admin_view(self.report_view),
                name="judging_publicvote_report",
            ),
            *super().get_urls(),
        ]

    @admin.action(description=gettext_lazy("作废所选投票…"), permissions=["void"])
    def void_selected(self, request, queryset):
        form = VoidForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                count = services.votes_void(
                    votes=queryset, reason=form.cleaned_data["reason"], by=request.user
                )
            except DomainError as error:
                form.add_error("reason", str(error))
            else:
                self.message_user(
                    request, _("已作废 %(count)s 张投票。") % {"count": count}, messages.SUCCESS
                )
                return None
        return TemplateResponse(
            request,
            "admin/judging/publicvote/void.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("作废投票"),
                "form": form,
                "votes": queryset.select_related("case")[:200],
                "count": queryset.count(),
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                "select_across": request.POST.get("select_across", "0"),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def report_view(self, request, round_pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        round_ = Round.objects.filter(pk=round_pk, kind=RoundKind.PUBLIC_VOTE).first()
        if round_ is None:
            raise Http404
        return TemplateResponse(
            request,
            "admin/judging/publicvote/report.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("网络投票异常监测:%(round)s") % {"round": round_},
                "report": selectors.anomaly_report(round_),
                "changelist": reverse("admin:judging_publicvote_changelist"),
            },
        )

"""Screening (资格审查) in the back office: submitted cases, accepted, rejected or returned one
by one or in bulk, through an intermediate page that asks for the reason."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from cases.admin import EditionListFilter
from cases.models import CaseLeadUnit, CaseStatus
from cases.services import DomainError

from ..models import ScreeningCase
from ..services.screening import Decision, screening_decide, screening_decide_many

SCREENING_STATES = [
    CaseStatus.SUBMITTED,
    CaseStatus.RETURNED,
    CaseStatus.ACCEPTED,
    CaseStatus.REJECTED,
]


class ScreeningDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("审查结论"), choices=Decision.CHOICES, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=gettext_lazy("理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("不予通过或退回修改时必须填写;理由会写入通知邮件,申报单位可见。"),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("decision") in Decision.REASON_REQUIRED
            and not cleaned.get("reason", "").strip()
        ):
            self.add_error("reason", _("不予通过或退回修改时必须填写理由。"))
        return cleaned


class StatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("状态")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(s.value, s.label) for s in SCREENING_STATES]

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


@admin.register(ScreeningCase)
class ScreeningCaseAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "title",
        "category",
        "lead_unit_names",
        "submitting_unit",
        "submitted_at",
        "status",
    )
    list_display_links = ("reference", "title")
    list_filter = (StatusFilter, ("edition", EditionListFilter))
    search_fields = ("reference", "title", "submitting_unit__name", "lead_units__name")
    ordering = ("edition", "category__order", "reference", "pk")
    actions = ["accept_selected", "reject_selected", "return_selected"]
    show_full_result_count = False
    fields = (
        "reference",
        "title",
        "edition",
        "category",
        "status",
        "status_reason",
        "lead_unit_names",
        "submitting_unit",
        "submitted_at",
        "summary",
        "background",
        "practice",
        "outcomes",
        "promotion_value",
        "contact_name",
        "contact_phone",
        "contact_email",
    )
    readonly_fields = ("lead_unit_names",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(status__in=SCREENING_STATES)
            .select_related("edition__programme", "category", "submitting_unit")
            .prefetch_related(
                Prefetch(
                    "lead_unit_links",
                    queryset=CaseLeadUnit.objects.select_related("unit").order_by("order", "pk"),
                )
            )
        )

    @admin.display(description=gettext_lazy("主创单位"))
    def lead_unit_names(self, case):
        return (
            pgettext("list separator", "、").join(
                link.unit.name for link in case.lead_unit_links.all()
            )
            or "—"
        )

    # Cases are written by their units; here they are read and decided on, never edited.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_screen_permission(self, request, obj=None):
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name=f"{opts.app_label}_{opts.model_name}_decide",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_screen": self.has_screen_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _changelist_url(self):
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")

    def _render_decide(self, request, *, cases, form, fixed_decision=None, action=None):
        opts = self.model._meta
        decision_label = dict(Decision.CHOICES).get(fixed_decision, _("资格审查"))
        return TemplateResponse(
            request,
            "admin/judging/screeningcase/decide.html",
            {
                **self.admin_site.each_context(request),
                "opts": opts,
                "title": decision_label,
                "cases": cases,
                "form": form,
                "fixed_decision": fixed_decision,
                "action": action,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "submitted_count": sum(1 for c in cases if c.status == CaseStatus.SUBMITTED),
            },
        )

    # --- one by one ---
    def decide_view(self, request, object_id):
        case = self.get_object(request, object_id)
        if case is None:
            raise Http404
        if not self.has_screen_permission(request, case):
            raise PermissionDenied
        form = ScreeningDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                case = screening_decide(
                    case=case,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(
                    request,
                    _("案例“%(case)s”:%(status)s,已通知申报单位。")
                    % {"case": case, "status": case.get_status_display()},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self._changelist_url())
        return self._render_decide(request, cases=[case], form=form)

    # --- in bulk ---
    def _decide_selected(self, request, queryset, decision, action):
        cases = list(queryset)
        if "apply" in request.POST:
            data = request.POST.copy()
            data["decision"] = decision  # the action fixes the decision
            form = ScreeningDecisionForm(data)
            if form.is_valid():
                result = screening_decide_many(
                    cases=cases,
                    decision=decision,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
                if result.done:
                    self.message_user(
                        request,
                        _("已处理 %(count)d 个案例,并已通知申报单位。")
                        % {"count": len(result.done)},
                        messages.SUCCESS,
                    )
                if result.failed:
                    self.message_user(
                        request,
                        _("%(count)d 个案例未处理:%(details)s")
                        % {
                            "count": len(result.failed),
                            "details": ";".join(message for _case, message in result.failed[:10])
                            + ("……" if len(result.failed) > 10 else ""),
                        },
                        messages.ERROR,
                    )
                return None
        else:
            form = ScreeningDecisionForm(initial={"decision": decision})
        return self._render_decide(
            request, cases=cases, form=form, fixed_decision=decision, action=action
        )

    @admin.action(description=gettext_lazy("审查通过"), permissions=["screen"])
    def accept_selected(self, request, queryset):
        return self._decide_selected(request, queryset, Decision.ACCEPT, "accept_selected")

    @admin.action(description=gettext_lazy("不予通过(需填写理由)"), permissions=["screen"])
    def reject_selected(self, request, queryset):
        return self._decide_selected(request, queryset, Decision.REJECT, "reject_selected")

    @admin.action(description=gettext_lazy("退回修改(需填写理由)"), permissions=["screen"])
    def return_selected(self, request, queryset):
        return self._decide_selected(request, queryset, Decision.RETURN, "return_selected")

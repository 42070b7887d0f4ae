"""Back office control of rounds: progress pages, reminders, open / close / reopen,
automatic assignment and its report, conflicts of a round; single assignments and declared
conflicts."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case
from cases.services import DomainError

from ..models import Assignment, Conflict, ConflictSource, Judge, Round, RoundKind, RoundStatus
from ..selectors.conflicts import conflict_map
from ..selectors.progress import case_progress, judge_progress, round_cases
from ..services.assignment import (
    assignment_add,
    assignment_check,
    assignment_delete,
    round_auto_assign,
)
from ..services.conflicts import conflict_create, conflict_delete
from ..services.rounds import (
    round_close,
    round_close_outstanding,
    round_open,
    round_remind,
    round_reopen,
)
from .navigation import next_url
from .results import results_urls

PAGE_SIZE = 100


def audit_history_link(obj):
    """A link to the audit rows of `obj` in the (read-only) audit admin, when it exists."""
    try:
        base = reverse("admin:cases_auditentry_changelist")
    except NoReverseMatch:
        return "—"
    query = urlencode({"object_type": obj._meta.label_lower, "object_id": obj.pk})
    return format_html('<a href="{}?{}">{}</a>', base, query, _("查看审计记录"))


class AuditLinkMixin:
    """Adds the object's audit history link to its change (or view) page."""

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is not None and "audit_history" not in fields:
            fields.append("audit_history")
        return fields

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "audit_history")

    @admin.display(description=gettext_lazy("审计记录"))
    def audit_history(self, obj):
        return audit_history_link(obj) if obj.pk else "—"


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("重新开启的理由"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("理由会记入审计记录。"),
    )


class CloseRoundForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("我已了解上列未完成的评审,结束轮次并锁定所有评分"),
        error_messages={"required": gettext_lazy("请勾选确认后再结束轮次。")},
    )


class RoundControlMixin:
    """Custom admin views of a round, registered through `get_urls`; every view requires
    staff (through `admin_view`) and the model's view or change permission."""

    control_views = {
        "progress_judges": "progress/judges/",
        "progress_cases": "progress/cases/",
        "conflicts": "conflicts/",
        "remind": "remind/",
        "open": "open/",
        "close": "close/",
        "reopen": "reopen/",
        "assign": "assign/",
    }

    def result_links(self, request, round_):
        """`(label, url)` of the round's result pages (ranking, calibration, exports,
        advancement), for those who may read them (the RoundEntry view permission)."""
        if not request.user.has_perm("judging.view_roundentry"):
            return []
        urls = results_urls(round_)
        labels = [
            ("ranking", _("排名表")),
            ("calibration", _("专家评分校准")),
            ("advancement", _("投票统计与晋级") if round_.kind == RoundKind.VOTE else _("晋级")),
            ("export_xlsx", _("导出 Excel")),
            ("export_csv", _("导出 CSV")),
        ]
        return [(label, urls[name]) for name, label in labels if name in urls]

    def control_url(self, view, round_):
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[round_.pk])

    def get_urls(self):
        opts = self.model._meta
        custom = [
            path(
                f"<path:object_id>/{suffix}",
                self.admin_site.admin_view(getattr(self, f"{view}_view")),
                name=f"{opts.app_label}_{opts.model_name}_{view}",
            )
            for view, suffix in self.control_views.items()
        ]
        return custom + super().get_urls()

    # --- helpers ---
    def _round_or_404(self, request, object_id, *, change=False):
        round_ = self.get_object(request, object_id)
        if round_ is None:
            raise Http404
        allowed = (
            self.has_change_permission(request, round_)
            if change
            else self.has_view_permission(request, round_)
        )
        if not allowed:
            raise PermissionDenied
        return round_

    def _context(self, request, round_, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": round_,
            "round": round_,
            "title": title,
            "subtitle": str(round_),
            "has_change_permission": self.has_change_permission(request, round_),
            "result_links": self.result_links(request, round_),
            **extra,
        }

    def _page(self, request, queryset):
        return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))

    def _back_to_round(self, round_, request=None):
        """To the round's page, or to the same-site `next` the request came with (the
        edition's workflow page passes it)."""
        back = next_url(request) if request is not None else None
        if back:
            return HttpResponseRedirect(back)
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[round_.pk])
        )

    # --- progress ---
    def progress_judges_view(self, request, object_id):
        round_ = self._round_or_404(request, object_id)
        page = self._page(request, judge_progress(round_))
        return TemplateResponse(
            request,
            "admin/judging/round/progress_judges.html",
            self._context(request, round_, _("专家评审进度"), page=page),
        )

    def progress_cases_view(self, request, object_id):
        round_ = self._round_or_404(request, object_id)
        page = self._page(request, case_progress(round_))
        return TemplateResponse(
            request,
            "admin/judging/round/progress_cases.html",
            self._context(
                request,
                round_,
                _("案例评审进度"),
                page=page,
                assignment_add_url=reverse("admin:judging_assignment_add"),
            ),
        )

    def conflicts_view(self, request, object_id):
        round_ = self._round_or_404(request, object_id)
        found = conflict_map(
            cases=round_cases(round_),
            judges=Judge.objects.filter(memberships__panel__edition_id=round_.edition_id),
            regional=round_.regional_recusal,
        )
        pairs = sorted(found.pairs())
        cases = Case.objects.in_bulk({c for c, _j in pairs})
        judges = Judge.objects.select_related("affiliation").in_bulk({j for _c, j in pairs})
        rows = [
            {
                "case": cases[c],
                "judge": judges[j],
                "source": ConflictSource(found.source(case_id=c, judge_id=j)).label,
            }
            for c, j in pairs
        ]
        return TemplateResponse(
            request,
            "admin/judging/round/conflicts.html",
            self._context(request, round_, _("回避情况"), page=self._page(request, rows)),
        )

    # --- state changes ---
    def _post_only(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return None

    def _run(self, request, round_, action, success):
        try:
            action()
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, success, messages.SUCCESS)
        return self._back_to_round(round_, request)

    def open_view(self, request, object_id):
        round_ = self._round_or_404(request, object_id, change=True)
        return self._post_only(request) or self._run(
            request,
            round_,
            lambda: round_open(round=round_, by=request.user),
            _("轮次“%(round)s”已开启。") % {"round": round_.name},
        )

    def close_view(self, request, object_id):
        """A confirmation page: what is still missing (per judge; verification drafts), then
        结束轮次 with an explicit confirmation — never one click."""
        round_ = self._round_or_404(request, object_id, change=True)
        if round_.status != RoundStatus.OPEN:
            self.message_user(request, _("只有进行中的轮次可以结束。"), messages.ERROR)
            return self._back_to_round(round_, request)
        judges, drafts = round_close_outstanding(round_)
        form = CloseRoundForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                round_close(round=round_, by=request.user, confirmed=True)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(
                    request,
                    _("轮次“%(round)s”已结束,所有评分已锁定。") % {"round": round_.name},
                    messages.SUCCESS,
                )
                return self._back_to_round(round_, request)
        return TemplateResponse(
            request,
            "admin/judging/round/close.html",
            self._context(request, round_, _("结束轮次"), form=form, judges=judges, drafts=drafts),
        )

    def reopen_view(self, request, object_id):
        round_ = self._round_or_404(request, object_id, change=True)
        if round_.status != RoundStatus.CLOSED:
            self.message_user(request, _("只有已结束的轮次可以重新开启。"), messages.ERROR)
            return self._back_to_round(round_)
        form = ReopenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                round_reopen(round=round_, reason=form.cleaned_data["reason"], by=request.user)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(
                    request,
                    _("轮次“%(round)s”已重新开启。") % {"round": round_.name},
                    messages.SUCCESS,
                )
                return self._back_to_round(round_)
        return TemplateResponse(
            request,
            "admin/judging/round/reopen.html",
            self._context(request, round_, _("重新开启轮次"), form=form),
        )

    def remind_view(self, request, object_id):
        round_ = self._round_or_404(request, object_id, change=True)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            count = round_remind(round=round_, by=request.user)
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(
                request,
                _("已向 %(count)d 位未完成评审的专家发送提醒邮件。") % {"count": count},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(self.control_url("progress_judges", round_))

    def assign_view(self, request, object_id):
        round_ = self._round_or_404(request, object_id, change=True)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            report = round_auto_assign(round=round_, by=request.user)
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)
            return self._back_to_round(round_, request)
        return self._assign_report(request, [report])

    def _assign_report(self, request, reports):
        return TemplateResponse(
            request,
            "admin/judging/round/assign_report.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("自动分配结果"),
                "reports": reports,
                "next_url": next_url(request),
            },
        )

    # --- changelist actions ---
    @admin.action(description=gettext_lazy("自动分配专家"), permissions=["change"])
    def auto_assign_selected(self, request, queryset):
        reports = []
        for round_ in queryset.order_by("edition_id", "order"):
            try:
                reports.append(round_auto_assign(round=round_, by=request.user))
            except DomainError as error:
                self.message_user(request, str(error), messages.ERROR)
        if reports:
            return self._assign_report(request, reports)
        return None

    @admin.action(description=gettext_lazy("开启所选轮次"), permissions=["change"])
    def open_selected(self, request, queryset):
        self._each(request, queryset, round_open, _("已开启 %(count)d 个轮次。"))

    def _each(self, request, queryset, service, success):
        done = 0
        for round_ in queryset:
            try:
                service(round=round_, by=request.user)
            except DomainError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, success % {"count": done}, messages.SUCCESS)

    actions = ["auto_assign_selected", "open_selected"]


# --- Assignments ---------------------------------------------------------------------------
class AssignmentAddForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["round", "case", "judge"]

    def clean(self):
        cleaned = super().clean()
        round_, case, judge = cleaned.get("round"), cleaned.get("case"), cleaned.get("judge")
        if round_ and case and judge:
            try:
                assignment_check(round=round_, case=case, judge=judge)
            except DomainError as error:
                raise forms.ValidationError(str(error)) from None
        return cleaned

    def validate_unique(self):
        # `assignment_check` reports a duplicate with our own wording.
        pass


class RoundFilter(admin.SimpleListFilter):
    title = gettext_lazy("轮次")
    parameter_name = "round"

    def lookups(self, request, model_admin):
        rounds = Round.objects.select_related("edition__programme").order_by("-edition_id", "order")
        return [(str(r.pk), str(r)) for r in rounds]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isascii() or not value.isdigit():
            return queryset.none()  # `?round=1,2,3`: no round has that id
        return queryset.filter(round_id=value)


@admin.register(Assignment)
class AssignmentAdmin(AuditLinkMixin, admin.ModelAdmin):
    """Assignments are added one by one here (the automatic assignment is an action of the
    rounds) and removed here; their status is the judge's business, so rows are read-only."""

    form = AssignmentAddForm
    list_display = ("case", "judge", "round_name", "status", "manual", "created_at")
    list_filter = (RoundFilter, "status", "manual")
    search_fields = ("case__title", "case__reference", "judge__name")
    list_select_related = ("round", "case", "judge")
    autocomplete_fields = ("judge", "round", "case")
    show_full_result_count = False

    @admin.display(description=gettext_lazy("轮次"), ordering="round__order")
    def round_name(self, assignment):
        return assignment.round.name

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.round.status == RoundStatus.CLOSED:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        created = assignment_add(round=obj.round, case=obj.case, judge=obj.judge, by=request.user)
        obj.pk = created.pk

    def delete_model(self, request, obj):
        assignment_delete(assignment=obj, by=request.user, reason=_("组织方在后台移除"))

    def delete_queryset(self, request, queryset):
        for assignment in queryset.select_related("round", "case", "judge"):
            try:
                self.delete_model(request, assignment)
            except DomainError as error:
                self.message_user(request, str(error), messages.ERROR)


# --- Conflicts -----------------------------------------------------------------------------
class ConflictForm(forms.ModelForm):
    class Meta:
        model = Conflict
        fields = ["judge", "unit", "case", "reason"]

    def clean(self):
        cleaned = super().clean()
        unit, case = cleaned.get("unit"), cleaned.get("case")
        if (unit is None) == (case is None):
            raise forms.ValidationError(_("请填写回避单位或回避案例中的一项(只填一项)。"))
        judge = cleaned.get("judge")
        target = {"unit": unit} if unit is not None else {"case": case}
        if judge is not None and Conflict.objects.filter(judge=judge, **target).exists():
            raise forms.ValidationError(
                _("已登记过%(judge)s对“%(target)s”的回避。")
                % {"judge": judge.name, "target": unit or case}
            )
        return cleaned

    def validate_unique(self):
        # Checked in `clean` with our own wording.
        pass


@admin.register(Conflict)
class ConflictAdmin(AuditLinkMixin, admin.ModelAdmin):
    """Conflicts declared by a judge (entered here by the organiser) and recusals. Detected
    conflicts are computed, never stored: see a round's 回避情况 page."""

    form = ConflictForm
    list_display = ("judge", "unit", "case", "source", "reason", "created_by", "created_at")
    list_filter = ("source",)
    search_fields = ("judge__name", "unit__name", "case__title", "case__reference")
    list_select_related = ("judge", "unit", "case", "created_by")
    autocomplete_fields = ("judge", "unit", "case")
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        conflict, removed = conflict_create(
            judge=obj.judge,
            unit=obj.unit,
            case=obj.case,
            source=ConflictSource.DECLARED,
            reason=obj.reason,
            by=request.user,
        )
        obj.pk = conflict.pk
        if removed:
            self.message_user(
                request,
                _("已移除该专家受回避影响的 %(count)d 项分配。") % {"count": removed},
                messages.WARNING,
            )

    def delete_model(self, request, obj):
        conflict_delete(conflict=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for conflict in queryset:
            conflict_delete(conflict=conflict, by=request.user)

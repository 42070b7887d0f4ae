"""Back office for results: ranking tables, calibration, exports and advancement.

The pages hang off the RoundEntry admin (`admin/judging/roundentry/…`) so they sit behind the
admin site's own login and staff check; each also needs the RoundEntry model permission
(view to read, change to tabulate or decide) — without it the page is a 404, like a missing
round. Staff status alone never lets anyone score: these pages only read and tabulate.
"""

from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from cases.audit.events import audit_download
from cases.models import Category
from cases.services import DomainError

from ..exports import round_csv, round_xlsx
from ..forms.advancement import OverrideForm, VoteThresholdForm
from ..forms.exports import RoundExportForm
from ..models import (
    ExportFormat,
    ExportStatus,
    Review,
    ReviewStatus,
    Round,
    RoundEntry,
    RoundExport,
    RoundKind,
    VoteThreshold,
)
from ..selectors.calibration import round_calibration
from ..selectors.ranking import case_review_details
from ..selectors.ranking_table import ranking_table
from ..services.advancement import (
    advancement_confirm,
    advancement_override,
    advancement_override_clear,
    advancement_plan,
    round_entries_add_assigned,
)
from ..services.exports import round_export_request
from ..services.tabulation import tabulate_round
from .navigation import next_url

PAGE_SIZE = 200


def paginate(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def results_urls(round_):
    """Links to a round's result pages, for other admin pages (e.g. the Round admin)."""
    urls = {"advancement": reverse("admin:judging_round_advancement", args=[round_.pk])}
    if round_.kind == RoundKind.SCORING:
        for name in ("ranking", "calibration", "export_xlsx", "export_csv", "exports"):
            urls[name] = reverse(f"admin:judging_round_{name}", args=[round_.pk])
    return urls


class ResultsPage(View):
    """Common ground of the result pages: the admin chrome and the permission check."""

    model_admin = None
    permission = "view"
    title = ""

    def dispatch(self, request, *args, **kwargs):
        check = getattr(self.model_admin, f"has_{self.permission}_permission")
        if not check(request):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def admin_context(self, **extra):
        return {
            **self.model_admin.admin_site.each_context(self.request),
            "opts": RoundEntry._meta,
            "title": self.title,
            "can_change": self.model_admin.has_change_permission(self.request),
            **extra,
        }


class RoundPage(ResultsPage):
    kinds = None  # round kinds the page applies to; None: any

    @cached_property
    def round(self):
        round_ = get_object_or_404(
            Round.objects.select_related("edition__programme"), pk=self.kwargs["round_id"]
        )
        if self.kinds is not None and round_.kind not in self.kinds:
            raise Http404
        return round_

    def admin_context(self, **extra):
        return super().admin_context(
            round=self.round, subtitle=str(self.round), links=results_urls(self.round), **extra
        )


class RoundsOverview(ResultsPage, TemplateView):
    template_name = "admin/judging/results_rounds.html"
    title = gettext_lazy("评审结果")

    def get_context_data(self, **kwargs):
        rounds = (
            Round.objects.select_related("edition__programme")
            .annotate(entry_count=Count("entries"))
            .order_by("-edition__year", "edition_id", "order")
        )
        return self.admin_context(rounds=[(r, results_urls(r)) for r in rounds])


class RankingPage(RoundPage, TemplateView):
    template_name = "admin/judging/ranking.html"
    title = gettext_lazy("排名表")
    kinds = {RoundKind.SCORING}

    @cached_property
    def categories(self):
        return list(Category.objects.filter(edition_id=self.round.edition_id))

    @cached_property
    def category(self):
        wanted = self.request.GET.get("category")
        return next((c for c in self.categories if str(c.pk) == wanted), None)

    def get_context_data(self, **kwargs):
        table = ranking_table(self.round, category=self.category)
        return self.admin_context(
            table=table,
            page_obj=paginate(self.request, table.rows),
            query_prefix=f"category={self.category.pk}&" if self.category else "",
            categories=self.categories,
            category=self.category,
            case_url_prefix=reverse("admin:judging_round_ranking", args=[self.round.pk]),
            detail_label=_("查看评分"),
            disagreement_label=_("分歧"),
        )

    def post(self, request, *args, **kwargs):
        if not self.model_admin.has_change_permission(request):
            raise Http404
        try:
            count, changed = tabulate_round(round=self.round, by=request.user)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("已计算 %(count)s 个案例的得分和名次,%(changed)s 个有变化。")
                % {"count": count, "changed": changed},
            )
        return redirect(request.get_full_path())


class RankingCasePage(RoundPage, TemplateView):
    template_name = "admin/judging/ranking_case.html"
    title = gettext_lazy("评分明细")
    kinds = {RoundKind.SCORING}

    def get_context_data(self, **kwargs):
        entry = get_object_or_404(
            RoundEntry.objects.select_related("case__category"),
            round=self.round,
            case_id=self.kwargs["case_id"],
        )
        criteria, reviews = case_review_details(self.round, entry.case)
        return self.admin_context(entry=entry, criteria=criteria, reviews=reviews)


class CalibrationPage(RoundPage, TemplateView):
    template_name = "admin/judging/calibration.html"
    title = gettext_lazy("专家评分校准")
    kinds = {RoundKind.SCORING}

    def get_context_data(self, **kwargs):
        return self.admin_context(calibration=round_calibration(self.round))


class ExportView(RoundPage):
    kinds = {RoundKind.SCORING}
    fmt = "xlsx"

    def get(self, request, *args, **kwargs):
        anonymous = request.GET.get("anonymous") == "1"
        name = f"round-{self.round.pk}-{'anonymous' if anonymous else 'scores'}.{self.fmt}"
        if self.fmt == "xlsx":
            response = HttpResponse(
                round_xlsx(self.round, anonymous=anonymous),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        else:
            response = HttpResponse(
                round_csv(self.round, anonymous=anonymous), content_type="text/csv; charset=utf-8"
            )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        audit_download(
            code="judging.round.scores_exported",
            obj=self.round,
            request=request,
            filename=name,
            format=self.fmt,
            anonymous=anonymous,
            rows=Review.objects.filter(
                assignment__round=self.round, status=ReviewStatus.SUBMITTED
            ).count(),
        )
        return response


class ExportsPage(RoundPage, TemplateView):
    """Exports made by the task queue: ask for one, see the round's latest, download them."""

    template_name = "admin/judging/exports.html"
    title = gettext_lazy("后台导出")
    kinds = {RoundKind.SCORING}
    shown = 20

    def get_context_data(self, form=None, **kwargs):
        exports = RoundExport.objects.filter(round=self.round).select_related("requested_by")
        return self.admin_context(
            form=form or RoundExportForm(),
            exports=exports[: self.shown],
            download_prefix=self.request.path,
            done=ExportStatus.DONE,
        )

    def post(self, request, *args, **kwargs):
        form = RoundExportForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        round_export_request(
            round=self.round,
            fmt=form.cleaned_data["fmt"],
            anonymous=form.cleaned_data["anonymous"],
            by=request.user,
        )
        messages.success(request, _("已加入导出队列。文件生成后会出现在下表中,请稍后刷新本页。"))
        return redirect(request.path)


class ExportDownloadView(RoundPage):
    kinds = {RoundKind.SCORING}

    def get(self, request, *args, **kwargs):
        export = get_object_or_404(
            RoundExport, round=self.round, pk=self.kwargs["export_id"], status=ExportStatus.DONE
        )
        try:
            handle = export.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=export.filename,
            content_type=EXPORT_CONTENT_TYPES[export.fmt],
        )
        response["Cache-Control"] = "private, no-store"
        audit_download(
            code="judging.round_export.downloaded",
            obj=export,
            request=request,
            filename=export.filename,
            round=self.round.pk,
            format=export.fmt,
            anonymous=export.anonymous,
        )
        return response


EXPORT_CONTENT_TYPES = {
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.CSV: "text/csv; charset=utf-8",
}


class AdvancementPage(RoundPage, TemplateView):
    """The proposal for the whole round, with the confirm button; each case is adjusted on
    its own page (one form per page keeps a 2,000-case round light and every label plain)."""

    template_name = "admin/judging/advancement.html"
    title = gettext_lazy("晋级")
    kinds = {RoundKind.SCORING, RoundKind.VERIFICATION, RoundKind.VOTE}

    def get_context_data(self, **kwargs):
        try:
            plan = advancement_plan(self.round)
        except DomainError as error:
            return self.admin_context(plan=None, rule_error=str(error))
        return self.admin_context(
            plan=plan,
            page_obj=paginate(self.request, plan.proposals),
            query_prefix=f"{self.next_query}&" if self.next_query else "",
            entry_url_prefix=self.request.path,
            entry_url_suffix=f"?{self.next_query}" if self.next_query else "",
            adjust_label=_("调整"),
        )

    @cached_property
    def next_query(self):
        """`next=…` kept on the page's own links, so that the workflow page that sent the
        organiser here is where the confirmation returns."""
        back = next_url(self.request)
        return urlencode({"next": back}) if back else ""

    def advancement_url(self):
        url = reverse("admin:judging_round_advancement", args=[self.round.pk])
        return f"{url}?{self.next_query}" if self.next_query else url

    def post(self, request, *args, **kwargs):
        if not self.model_admin.has_change_permission(request):
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "confirm":
                plan = advancement_confirm(round=self.round, by=request.user)
                messages.success(
                    request,
                    _("晋级结果已确认:%(advanced)s 个晋级,%(eliminated)s 个未晋级。")
                    % {"advanced": plan.advancing, "eliminated": plan.eliminated},
                )
                back = next_url(request)
                if back:
                    return redirect(back)
            elif action == "add_assigned":
                added = round_entries_add_assigned(round=self.round, by=request.user)
                messages.success(request, _("已加入 %(count)s 个案例。") % {"count": added})
            elif action == "clear":
                entry = self.entry_from(request.POST.get("entry", ""))
                advancement_override_clear(entry=entry, by=request.user)
                messages.success(request, _("已撤销对 %(case)s 的调整。") % {"case": entry.case})
            else:
                raise Http404
        except DomainError as error:
            messages.error(request, str(error))
        return redirect(request.get_full_path())

    def entry_from(self, value):
        if not str(value).isdigit():
            raise Http404
        return get_object_or_404(
            RoundEntry.objects.select_related("case", "case__category"),
            round=self.round,
            pk=value,
        )


class AdvancementEntryPage(AdvancementPage):
    """Adjust one case: its proposal, and the form to decide it by hand with a reason."""

    template_name = "admin/judging/advancement_entry.html"
    title = gettext_lazy("调整晋级结论")

    @cached_property
    def entry(self):
        return self.entry_from(self.kwargs["entry_id"])

    def get_context_data(self, form=None, **kwargs):
        try:
            plan = advancement_plan(self.round)
        except DomainError as error:
            return self.admin_context(plan=None, rule_error=str(error))
        proposal = next(p for p in plan.proposals if p.entry.pk == self.entry.pk)
        return self.admin_context(
            plan=plan,
            proposal=proposal,
            form=form or OverrideForm(entry=self.entry),
            back_url=self.advancement_url(),
        )

    def post(self, request, *args, **kwargs):
        if not self.model_admin.has_change_permission(request):
            raise Http404
        form = OverrideForm(request.POST, entry=self.entry)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            advancement_override(
                entry=self.entry,
                result=form.cleaned_data["result"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except DomainError as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("已调整 %(case)s。") % {"case": self.entry.case})
        return redirect(self.advancement_url())


@admin.register(RoundEntry)
class RoundEntryAdmin(admin.ModelAdmin):
    """Entries are created and decided by the tabulation and advancement services; here they
    are read, filtered and reached from the result pages."""

    change_list_template = "admin/judging/roundentry/change_list.html"
    list_display = ["case", "round", "result", "score", "rank", "voted_tier", "decided_at"]
    list_filter = ["round__edition", "round", "result"]
    list_select_related = ["case", "round", "voted_tier"]
    search_fields = ["case__reference", "case__title"]
    readonly_fields = [
        "round",
        "case",
        "result",
        "score",
        "rank",
        "voted_tier",
        "override_reason",
        "decided_by",
        "decided_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        def page(view_class, **initkwargs):
            return self.admin_site.admin_view(view_class.as_view(model_admin=self, **initkwargs))

        return [
            path("results/", page(RoundsOverview), name="judging_results"),
            path(
                "round/<int:round_id>/ranking/",
                page(RankingPage),
                name="judging_round_ranking",
            ),
            path(
                "round/<int:round_id>/ranking/<int:case_id>/",
                page(RankingCasePage),
                name="judging_round_ranking_case",
            ),
            path(
                "round/<int:round_id>/calibration/",
                page(CalibrationPage),
                name="judging_round_calibration",
            ),
            path(
                "round/<int:round_id>/export.xlsx",
                page(ExportView, fmt="xlsx"),
                name="judging_round_export_xlsx",
            ),
            path(
                "round/<int:round_id>/export.csv",
                page(ExportView, fmt="csv"),
                name="judging_round_export_csv",
            ),
            path(
                "round/<int:round_id>/exports/",
                page(ExportsPage),
                name="judging_round_exports",
            ),
            path(
                "round/<int:round_id>/exports/<int:export_id>/",
                page(ExportDownloadView),
                name="judging_round_export_download",
            ),
            path(
                "round/<int:round_id>/advancement/",
                page(AdvancementPage),
                name="judging_round_advancement",
            ),
            path(
                "round/<int:round_id>/advancement/<int:entry_id>/",
                page(AdvancementEntryPage),
                name="judging_round_advancement_entry",
            ),
            *super().get_urls(),
        ]


class VoteThresholdInline(admin.TabularInline):
    """For the Round admin of a vote round (add it to its `inlines`)."""

    model = VoteThreshold
    form = VoteThresholdForm
    extra = 0


@admin.register(VoteThreshold)
class VoteThresholdAdmin(admin.ModelAdmin):
    form = VoteThresholdForm
    list_display = ["round", "tier", "numerator", "denominator", "inclusive"]
    list_filter = ["round__edition"]
    list_select_related = ["round__edition__programme", "tier"]

"""Back office of the heat rankings: outlets, series, periods with their lists, items with
their coverage records, and two pages on a period — 导入提及量 and 计算与发布.

Every page checks a Django permission of these models, never staff status: reading a period
needs `judging.view_heatperiod`, importing counts `judging.change_mentioncount`, publishing
`judging.publish_heatperiod`. Without it the page is a 404.
"""

from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.admin import EditionChoicesMixin
from cases.admin.base import HTTPS_URLS

from .forms import MentionImportForm, PublishForm
from .imports import MentionImportError, mentions_import
from .models import (
    HeatCoverage,
    HeatItem,
    HeatList,
    HeatPeriod,
    HeatSeries,
    MentionCount,
    Outlet,
)
from .selectors import compute_period, ranked
from .services import heat_period_publish
from .submissions import items_from_submissions


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ("name", "level")
    list_filter = ("level",)
    search_fields = ("name",)


@admin.register(HeatSeries)
class HeatSeriesAdmin(admin.ModelAdmin):
    list_display = ("programme", "transform", "online_weight", "coverage_weight")
    list_select_related = ("programme",)


class HeatListInline(admin.TabularInline):
    model = HeatList
    extra = 0
    fields = ("level", "kind", "order", "description")


@admin.register(HeatPeriod)
class HeatPeriodAdmin(EditionChoicesMixin, admin.ModelAdmin):
    list_display = ("__str__", "month", "edition_status", "published_at", "page_links")
    list_select_related = ("edition__programme", "series__programme")
    inlines = [HeatListInline]
    readonly_fields = ("computed_at", "published_by")
    actions = ["add_items_from_submissions"]

    def has_add_heatitem_permission(self, request):
        return request.user.has_perm("judging.add_heatitem")

    @admin.action(
        description=gettext_lazy("把门户中报送的案例加入榜单"), permissions=["add_heatitem"]
    )
    def add_items_from_submissions(self, request, queryset):
        for period in queryset.select_related("edition"):
            report = items_from_submissions(period=period, by=request.user)
            messages.success(
                request,
                _("%(period)s:新增 %(count)s 个上榜条目。")
                % {"period": period, "count": len(report.created)},
            )
            for case, reason in report.skipped:
                messages.warning(request, f"{case}:{reason}")

    @admin.display(description=gettext_lazy("状态"))
    def edition_status(self, period):
        return period.edition.get_status_display()

    @admin.display(description=gettext_lazy("公开时间"))
    def published_at(self, period):
        return period.edition.results_published_at

    @admin.display(description=gettext_lazy("操作"))
    def page_links(self, period):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:judging_heatperiod_import", args=[period.pk]),
            _("导入提及量"),
            reverse("admin:judging_heatperiod_publish", args=[period.pk]),
            _("计算与发布"),
        )

    def get_urls(self):
        return [
            path(
                "<int:period_id>/import/",
                self.admin_site.admin_view(self.import_view),
                name="judging_heatperiod_import",
            ),
            path(
                "<int:period_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="judging_heatperiod_publish",
            ),
            *super().get_urls(),
        ]

    def _period(self, request, period_id, permission):
        if not request.user.has_perm(permission):
            raise Http404
        return get_object_or_404(
            HeatPeriod.objects.select_related("series", "edition__programme"), pk=period_id
        )

    def _context(self, request, period, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "period": period,
            "title": title,
            **extra,
        }

    def import_view(self, request, period_id):
        period = self._period(request, period_id, "judging.change_mentioncount")
        bound = request.method == "POST"
        form = MentionImportForm(*((request.POST, request.FILES) if bound else ()))
        error_lines = []
        if request.method == "POST" and form.is_valid():
            try:
                report = mentions_import(
                    period=period, upload=form.cleaned_data["file"], by=request.user
                )
            except MentionImportError as error:
                error_lines = error.lines
            else:
                messages.success(
                    request,
                    _("已导入 %(items)s 个条目、%(counts)s 个提及量(平台:%(platforms)s)。")
                    % {
                        "items": report.items,
                        "counts": report.counts,
                        "platforms": "、".join(report.platforms),
                    },
                )
                return redirect("admin:judging_heatperiod_publish", period.pk)
        return TemplateResponse(
            request,
            "admin/judging/heat/import.html",
            self._context(
                request,
                period,
                _("导入提及量"),
                form=form,
                error_lines=error_lines,
                platforms=period.series.platform_list,
            ),
        )

    def publish_view(self, request, period_id):
        period = self._period(request, period_id, "judging.view_heatperiod")
        can_publish = request.user.has_perm("judging.publish_heatperiod")
        form = PublishForm(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            if not can_publish:
                raise Http404
            if form.is_valid():
                heat_period_publish(
                    period=period, by=request.user, at=form.cleaned_data["published_at"]
                )
                messages.success(request, _("排行榜已计算并发布。"))
                return redirect("admin:judging_heatperiod_publish", period.pk)
        computed = compute_period(period)
        lists = [
            (heat_list, ranked(computed.get(heat_list.pk, [])))
            for heat_list in period.lists.order_by("order", "pk")
        ]
        return TemplateResponse(
            request,
            "admin/judging/heat/publish.html",
            self._context(
                request,
                period,
                _("计算与发布"),
                form=form,
                lists=lists,
                can_publish=can_publish,
                public_url=reverse(
                    "results:edition-results",
                    kwargs={
                        "programme_slug": period.edition.programme.slug,
                        "edition_slug": period.edition.slug,
                    },
                ),
            ),
        )


class HeatCoverageInline(admin.TabularInline):
    model = HeatCoverage
    extra = 1
    autocomplete_fields = ("outlet",)
    fields = ("outlet", "published_on", "url")
    formfield_overrides = HTTPS_URLS


class MentionCountInline(admin.TabularInline):
    model = MentionCount
    extra = 0
    fields = ("platform", "count")


@admin.register(HeatItem)
class HeatItemAdmin(admin.ModelAdmin):
    list_display = ("title", "unit", "list")
    list_filter = ("list__period", "list__level", "list__kind")
    list_select_related = ("unit", "list__period__edition__programme")
    search_fields = ("title", "unit__name")
    autocomplete_fields = ("unit",)
    raw_id_fields = ("case",)
    inlines = [HeatCoverageInline, MentionCountInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "list":
            kwargs["queryset"] = HeatList.objects.select_related("period__edition__programme")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

"""Public results pages: an edition's results, a public case page, the archive search, unit and
region history tables, edition statistics.

They show the same to everybody, so they are cached (see `PublicPageMixin`) and render the
header of `judging/public_base.html`, which carries nothing that belongs to one visitor.
"""

import hashlib
import json
import time

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from django.views.generic import ListView, TemplateView
from django_filters.views import FilterView

from cases.models import Programme, Region
from cases.selectors import results_visible_editions

from ..cache import recent_pages, results_versions, visible_edition
from ..charts import bar_chart
from ..filters import ArchiveFilter
from ..models import Award
from ..selectors import public as selectors
from ..selectors.publicity import joined_committee_commentary, with_committee_commentary


def page_cache_seconds():
    return getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 15 * 60)


def page_max_age():
    return getattr(settings, "PUBLIC_PAGE_MAX_AGE", 5 * 60)


class PublicPageMixin:
    """Cache a public page on the server and let browsers and proxies cache it too.

    - Visibility (the embargo) is resolved on every request, before any cache is read, in
      `resolve()`: a page that must not be seen is a 404 sent with `no-store`, so no proxy keeps
      a pre-embargo 404 past the publication time either.
    - The rendered HTML is kept in the Django cache under a key made of the page's identity
      (path and the query parameters it understands), the results version of every edition it
      shows and the language. Publishing or changing results bumps a version
      (`judging.cache.bump_results_version`), so the next request renders afresh. Each
      process keeps a copy of the pages it served last (`judging.cache.RecentPages`): with
      Redis, a page served from the cache costs a few bytes from Redis, not the page.
    - Visibility is remembered too (`judging.cache.visible_edition`): a page served
      from the cache asks nothing of the database.
    - The response says `Cache-Control: public, max-age=…` with an `ETag` (a hash of that key
      and of the content) and answers a matching `If-None-Match` with `304 Not Modified`.
    - Shared caches are safe because nothing per visitor is rendered (no name, no CSRF token,
      no messages, see `judging/public_base.html`); the response varies on `Accept-Language`
      and `Cookie` because the language is chosen from them.
    """

    query_parameters = ()

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except Http404 as exception:
            response = page_not_found(request, exception)
            add_never_cache_headers(response)
            return response

    def resolve(self):
        """Load what decides visibility; raise Http404 if the page must not be shown."""
        raise NotImplementedError

    def get_versions(self):
        """`{edition_id: results_version}` for every edition whose results the page shows."""
        raise NotImplementedError

    @cached_property
    def canonical_query(self):
        """The query parameters the page understands, in a stable order."""
        return [
            (name, value)
            for name in sorted(self.query_parameters)
            for value in self.request.GET.getlist(name)
            if value
        ]

    def page_cache_key(self):
        identity = {
            "path": self.request.path,
            "query": self.canonical_query,
            "versions": sorted(self.get_versions().items()),
            "language": get_language(),
        }
        digest = hashlib.sha256(json.dumps(identity, ensure_ascii=False).encode()).hexdigest()
        return f"public-page:{digest}"

    def get(self, request, *args, **kwargs):
        self.resolve()
        key = self.page_cache_key()
        entry = recent_pages.get(key)
        if entry is None:
            entry = cache.get(key)
            if entry is None:
                response = super().get(request, *args, **kwargs)
                response.render()
                etag = hashlib.sha256(key.encode() + response.content).hexdigest()[:40]
                entry = {
                    "etag": f'"{etag}"',
                    "content": response.content,
                    "expires": time.time() + page_cache_seconds(),
                }
                cache.set(key, entry, page_cache_seconds())
            if "expires" in entry:
                recent_pages.put(key, entry)
        response = get_conditional_response(request, etag=entry["etag"]) or HttpResponse(
            entry["content"]
        )
        response["ETag"] = entry["etag"]
        patch_cache_control(response, public=True, max_age=page_max_age())
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    def get_context_data(self, **kwargs):
        path = self.request.path
        if self.canonical_query:
            path = f"{path}?{urlencode(self.canonical_query)}"
        return super().get_context_data(public_next_url=path, **kwargs)


class EditionPageMixin(PublicPageMixin):
    """A page about one edition: 404 unless its results are visible."""

    def editions(self):
        return results_visible_editions()

    def resolve(self):
        # The id only: the edition itself is loaded when the page is rendered, not when it
        # comes from the cache.
        visible = visible_edition(
            programme_slug=self.kwargs["programme_slug"], edition_slug=self.kwargs["edition_slug"]
        )
        if visible is None:
            raise Http404
        self.edition_id, self.results_version = visible

    @cached_property
    def edition(self):
        return get_object_or_404(self.editions(), pk=self.edition_id)

    def get_versions(self):
        return {self.edition_id: self.results_version}

    def get_context_data(self, **kwargs):
        return super().get_context_data(edition=self.edition, **kwargs)


class AllEditionsPageMixin(PublicPageMixin):
    """A page across editions: shows the results of every results-visible edition."""

    def resolve(self):
        self.edition_ids = selectors.visible_edition_ids()

    def get_versions(self):
        return results_versions(self.edition_ids)


class EditionResultsView(EditionPageMixin, TemplateView):
    """The results by tier × category, with the committee's approved commentary (评委会点评)
    and its signature. Changing or approving the commentary bumps the results version."""

    template_name = "judging/public_results.html"

    def editions(self):
        # The commentary (and a heat period's series) come with the edition row.
        return with_committee_commentary(super().editions()).select_related("heat_period__series")

    @cached_property
    def heat_period(self):
        from ..heat.selectors import period_for_edition

        return period_for_edition(self.edition)

    def get_template_names(self):
        if self.heat_period is not None:  # a month of the heat rankings (judging/heat/)
            from ..heat.views import REPORT_TEMPLATE

            return [REPORT_TEMPLATE]
        return super().get_template_names()

    def get_context_data(self, **kwargs):
        if self.heat_period is not None:
            from ..heat.views import report_context

            return super().get_context_data(**report_context(self.heat_period), **kwargs)
        awards = list(selectors.edition_results(self.edition))
        groups = selectors.group_results(awards, by_category=not self.edition.results_unordered)
        return super().get_context_data(
            groups=groups,
            award_count=len(awards),
            commentary=joined_committee_commentary(self.edition),
            **kwargs,
        )


class PublicCaseView(EditionPageMixin, TemplateView):
    """Public fields of an awarded case; any other case of the edition is a 404."""

    template_name = "judging/public_case.html"

    def resolve(self):
        super().resolve()
        if not Award.objects.filter(edition=self.edition_id, case_id=self.kwargs["pk"]).exists():
            raise Http404

    def get_context_data(self, **kwargs):
        award = selectors.public_award(edition=self.edition, case_pk=self.kwargs["pk"])
        if award is None:  # deleted between resolve() and here
            raise Http404
        return super().get_context_data(award=award, case=award.case, **kwargs)


class EditionStatisticsView(EditionPageMixin, TemplateView):
    template_name = "judging/public_statistics.html"

    def get_context_data(self, **kwargs):
        stats = selectors.edition_statistics(self.edition)
        sections = [
            ("by-category", _("参评案例(按类别)"), stats.entries_by_category, _("类别")),
            ("by-region", _("参评案例(按报送单位所在地区)"), stats.entries_by_region, _("地区")),
            ("by-level", _("参评案例(按报送单位层级)"), stats.entries_by_level, _("层级")),
            ("by-tier", _("获奖案例(按奖项)"), stats.awards_by_tier, _("奖项")),
            ("awards-by-category", _("获奖案例(按类别)"), stats.awards_by_category, _("类别")),
        ]
        charts = [
            {
                "chart": bar_chart(chart_id=f"chart-{slug}", title=title, rows=rows),
                "rows": rows,
                "column": column,
                "slug": slug,
            }
            for slug, title, rows, column in sections
        ]
        return super().get_context_data(stats=stats, charts=charts, **kwargs)


class ProgrammeStatisticsView(PublicPageMixin, TemplateView):
    """Cases and awards of a programme across its published editions, as charts and tables."""

    template_name = "judging/public_programme_statistics.html"

    def resolve(self):
        self.programme = get_object_or_404(Programme, slug=self.kwargs["programme_slug"])
        self.edition_ids = list(
            results_visible_editions().filter(programme=self.programme).values_list("pk", flat=True)
        )

    def get_versions(self):
        return results_versions(self.edition_ids)

    def get_context_data(self, **kwargs):
        stats = selectors.programme_statistics(self.programme)
        sections = [
            ("by-year", _("按年度"), stats.by_year, _("年度")),
            ("by-region", _("按地区"), stats.by_region, _("地区")),
            ("by-level", _("按单位层级"), stats.by_level, _("层级")),
        ]
        charts = [
            {
                "slug": slug,
                "title": title,
                "column": column,
                "rows": rows,
                "entries_chart": bar_chart(
                    chart_id=f"chart-{slug}-entries",
                    title=_("参评案例(%(by)s)") % {"by": title},
                    rows=[(label, entries) for label, entries, _awards in rows],
                ),
                "awards_chart": bar_chart(
                    chart_id=f"chart-{slug}-awards",
                    title=_("获奖案例(%(by)s)") % {"by": title},
                    rows=[(label, awards) for label, _entries, awards in rows],
                ),
            }
            for slug, title, rows, column in sections
        ]
        return super().get_context_data(
            programme=self.programme, stats=stats, charts=charts, **kwargs
        )


class ArchiveView(AllEditionsPageMixin, FilterView):
    template_name = "judging/public_archive.html"
    filterset_class = ArchiveFilter
    paginate_by = 20
    query_parameters = (*ArchiveFilter.base_filters, "page")

    def get_queryset(self):
        return selectors.archive_awards(editions=self.edition_ids)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "editions": self.edition_ids}

    def get_context_data(self, **kwargs):
        without_page = [(name, value) for name, value in self.canonical_query if name != "page"]
        return super().get_context_data(page_query=urlencode(without_page), **kwargs)


class HistoryPageMixin(AllEditionsPageMixin):
    paginate_by = 50
    query_parameters = ("page",)


class UnitHistoryView(HistoryPageMixin, ListView):
    """The awards a unit led, as a history table. A unit without a public award is a 404: the
    names of units that entered but never won are not public."""

    template_name = "judging/public_unit_history.html"

    def resolve(self):
        super().resolve()
        self.unit = get_object_or_404(
            selectors.units_with_public_awards(editions=self.edition_ids).select_related("region"),
            pk=self.kwargs["pk"],
        )

    def get_queryset(self):
        return selectors.unit_history(self.unit, editions=self.edition_ids)

    def get_context_data(self, **kwargs):
        return super().get_context_data(unit=self.unit, **kwargs)


class RegionHistoryView(HistoryPageMixin, ListView):
    """The awards of cases led by units of a region and of the regions below it."""

    template_name = "judging/public_region_history.html"

    def resolve(self):
        super().resolve()
        self.region = get_object_or_404(Region, pk=self.kwargs["pk"])

    def get_queryset(self):
        return selectors.region_history(self.region, editions=self.edition_ids)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            region=self.region,
            region_trail=selectors.region_with_ancestors(self.region),
            subregions=self.region.children.order_by("name"),
            **kwargs,
        )

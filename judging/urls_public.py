"""Public results pages, mounted at the site root (see config/urls.py)."""

from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from config.ratelimit import rate_limited

from .heat import urls as heat_urls
from .views import public

app_name = "results"

urlpatterns = [
    path("archive/", public.ArchiveView.as_view(), name="archive"),
    # The cached public pages carry no CSRF token (it is per visitor), so their language
    # switch posts here. Choosing a display language is not an action worth forging.
    path(
        "results/language/",
        rate_limited("language")(csrf_exempt(set_language)),
        name="set-language",
    ),
    path(
        "results/<slug:programme_slug>/<slug:edition_slug>/",
        public.EditionResultsView.as_view(),
        name="edition-results",
    ),
    path(
        "results/<slug:programme_slug>/<slug:edition_slug>/cases/<int:pk>/",
        public.PublicCaseView.as_view(),
        name="case-detail",
    ),
    path(
        "results/<slug:programme_slug>/<slug:edition_slug>/statistics/",
        public.EditionStatisticsView.as_view(),
        name="edition-statistics",
    ),
    path(
        "statistics/<slug:programme_slug>/",
        public.ProgrammeStatisticsView.as_view(),
        name="programme-statistics",
    ),
    path("units/<int:pk>/history/", public.UnitHistoryView.as_view(), name="unit-history"),
    path("regions/<int:pk>/history/", public.RegionHistoryView.as_view(), name="region-history"),
]
urlpatterns += heat_urls.urlpatterns

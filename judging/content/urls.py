"""The CMS's public pages, mounted under /site/ (see judging/urls_public.py)."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import feeds, views
from .sitemaps import SITEMAPS

app_name = "content"

urlpatterns = [
    path("search/", views.SearchView.as_view(), name="search"),
    path("preview/<str:token>/", views.ArticlePreviewView.as_view(), name="article-preview"),
    path(
        "articles/<int:pk>/versions/<int:number>/",
        views.ArticleVersionView.as_view(),
        name="article-version",
    ),
    path("files/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment-download"),
    path("images/<int:pk>/", views.ImageView.as_view(), name="image"),
    path("pages/<slug:slug>/", views.ArticleDetailView.as_view(), name="site-article-detail"),
    path("<slug:programme_slug>/", views.ProgrammeHomeView.as_view(), name="programme-home"),
    path("<slug:programme_slug>/rss.xml", feeds.ProgrammeFeed(), name="programme-rss"),
    path("<slug:programme_slug>/atom.xml", feeds.ProgrammeAtomFeed(), name="programme-atom"),
    path(
        "<slug:programme_slug>/list/<slug:kind>/",
        views.ArticleListView.as_view(),
        name="article-list",
    ),
    path(
        "<slug:programme_slug>/<slug:slug>/",
        views.ArticleDetailView.as_view(),
        name="article-detail",
    ),
]

sitemap_urlpatterns = [
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    )
]

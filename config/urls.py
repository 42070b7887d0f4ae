from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from config.health import health
from judging.content.urls import sitemap_urlpatterns

admin.site.site_header = _("案例评选平台 · 后台管理")
admin.site.site_title = _("案例评选平台后台")
admin.site.index_title = _("评选活动管理")

urlpatterns = [
    path("healthz", health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("judging/", include("judging.urls")),
    path("accounts/", include("cases.account_urls")),
    path("portal/", include("cases.portal_urls")),
    path("site/", include("judging.content.urls")),
    path("", include(sitemap_urlpatterns)),
    path("", include("judging.urls_public")),
    path("", include("cases.urls")),
]

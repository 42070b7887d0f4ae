from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from config.health import health
from config.ratelimit import rate_limited
from judging.content.urls import sitemap_urlpatterns

admin.site.site_header = _("案例评选平台 · 后台管理")
admin.site.site_title = _("案例评选平台后台")
admin.site.index_title = _("评选活动管理")

urlpatterns = [
    path("healthz", health, name="health"),
    # Django's `django.conf.urls.i18n`, with the rate limit of every public POST.
    path("i18n/setlang/", rate_limited("language")(set_language), name="set_language"),
    # The back office's login page is a public POST too.
    path("admin/login/", rate_limited("login")(admin.site.login)),
    path("admin/", admin.site.urls),
    path("judging/", include("judging.urls")),
    path("vote/", include("judging.voting.urls")),
    path("captcha/", include("captcha.urls")),
    path("accounts/", include("cases.account_urls")),
    path("portal/", include("cases.portal_urls")),
    path("site/", include("judging.content.urls")),
    path("", include(sitemap_urlpatterns)),
    path("", include("judging.urls_public")),
    path("", include("cases.urls")),
]

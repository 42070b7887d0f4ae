"""`Cache-Control: no-store` on every private page (SECURITY.md DATA-05, ASVS 8.2.1): the unit
portal, the judges' workspace, the back office, the account pages (log-in, password, second
factor, 我的个人信息) and their downloads, by URL namespace, so that a new view there is covered
without a decorator. Neither a shared proxy nor the browser's back button keeps a copy.

Public pages are left alone: the cached public results pages keep their
`Cache-Control: public, max-age=…` (judging.views.public)."""

from functools import cache

from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers

PRIVATE_NAMESPACES = {"portal", "judging", "admin"}
# Public pages inside a private namespace.
PUBLIC_VIEWS = {"judging:publicity-list"}


@cache
def account_url_names():
    from cases import account_urls

    return frozenset(pattern.name for pattern in account_urls.urlpatterns if pattern.name)


def is_private(request):
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
    if match.view_name in PUBLIC_VIEWS:
        return False
    if match.namespaces:
        return match.namespaces[0] in PRIVATE_NAMESPACES
    return match.url_name in account_url_names()


class PrivatePagesNoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", "") and is_private(request):
            add_never_cache_headers(response)
        return response

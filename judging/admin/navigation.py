"""Where a back-office page returns after its step: a same-site `next` (a query or form
parameter, as the edition's workflow page passes it), or the page's own default."""

from django.utils.http import url_has_allowed_host_and_scheme


def next_url(request):
    """The `next` of the request when it is a path of this site, else None."""
    value = request.POST.get("next") or request.GET.get("next") or ""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return None

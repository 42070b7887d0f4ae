"""Rate limits of the public POSTs, counted by django-ratelimit in the shared cache.

Wrap a view that anybody can POST to with `rate_limited("group")` (in its urls.py) and give the
group its pair of rates in `settings.RATE_LIMIT_DEFAULTS`: one per client address, one per /24
network. Past either, the POST is answered 429 with `templates/429.html` and a Retry-After
header; the view does not run, so nothing is created. GETs are never counted.

When the cache is unreachable the counters cannot be read: the request is let through
(`RATELIMIT_FAIL_OPEN`) and a warning is logged, so a Redis outage does not lock everybody out.
"""

import ipaddress
import logging
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import get_usage
from django_ratelimit.exceptions import Ratelimited

from cases.audit.context import client_ip as audit_client_ip

logger = logging.getLogger("config.ratelimit")

NETWORK_PREFIX = {4: 24, 6: 48}
# Where REMOTE_ADDR is empty or not an address (a Unix socket without a proxy header).
UNKNOWN_ADDRESS = ipaddress.ip_address("::")


class RateLimitExceeded(Ratelimited):
    def __init__(self, retry_after):
        super().__init__()
        self.retry_after = retry_after


def client_address(request):
    """The client's address as an `ipaddress` object, by the one rule of the audit trail
    (`cases.audit.context.client_ip`: REMOTE_ADDR, or the address the outermost of
    `TRUSTED_PROXY_COUNT` proxies saw); `::` when there is none."""
    found = audit_client_ip(request)
    return ipaddress.ip_address(found) if found else UNKNOWN_ADDRESS


def client_ip(request):
    """`RATELIMIT_IP_META_KEY`: the address as text, for django-ratelimit's "ip" key."""
    return str(client_address(request))


def ip_key(group, request):
    return f"ip:{client_address(request)}"


def network_key(group, request):
    address = client_address(request)
    network = ipaddress.ip_network(f"{address}/{NETWORK_PREFIX[address.version]}", strict=False)
    return f"net:{network}"


KEYS = (ip_key, network_key)


def check_rate_limits(request, group, extra=()):
    """Count this request against the group's limits; raise `RateLimitExceeded` past one.

    `extra` adds (key, rate) pairs, e.g. the e-mail address typed into the reset form."""
    limits = [*zip(KEYS, settings.RATE_LIMITS[group], strict=True), *extra]
    retry_after = 0
    for key, rate in limits:
        usage = get_usage(request, group=group, key=key, rate=rate, method="POST", increment=True)
        if usage is None:
            if settings.RATELIMIT_ENABLE:
                logger.warning(
                    "rate limit %s not counted: the cache is unreachable, request let through",
                    group,
                )
            return
        if usage["should_limit"]:
            retry_after = max(retry_after, usage["time_left"], 1)
    if retry_after:
        logger.warning("rate limit %s exceeded by %s", group, client_address(request).compressed)
        raise RateLimitExceeded(retry_after)


def rate_limited(group, extra=None):
    """Decorator of a view function: POSTs count against `settings.RATE_LIMITS[group]`.

    `extra(request)` may return more (key, rate) pairs for this request."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                check_rate_limits(request, group, extra(request) if extra else ())
            return view(request, *args, **kwargs)

        wrapped.rate_limit_group = group
        return wrapped

    return decorator


def too_many_requests(request, exception):
    """`RATELIMIT_VIEW`: 429 with a Chinese page and Retry-After."""
    retry_after = getattr(exception, "retry_after", 60)
    response = render(
        request, "429.html", {"retry_after_minutes": max(1, -(-retry_after // 60))}, status=429
    )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def typed_email_key(group, request):
    email = request.POST.get("email", "")[:254].strip().lower()
    return f"email:{email}"


def typed_email_limit(request):
    """The password-reset form's extra limit: per address typed, whatever the sender."""
    return [(typed_email_key, settings.PASSWORD_RESET_EMAIL_RATE)]

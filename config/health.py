"""Health endpoint for load balancers and orchestrators: checks the database and the cache.

The database is the one thing the site cannot work without: when it fails the answer is 503
and the load balancer takes this app server out. The cache is not: with Redis unreachable
every page still works from the database (slower) and sessions live in the database, so the
answer stays 200 with `"status": "degraded"` and `"cache": "down"` — taking every app server
out because their shared Redis is down would turn a slow site into no site. Alert on it.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cases import antivirus

from .logging import shipping_handlers

logger = logging.getLogger("config.health")


def database_check():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means unhealthy; the reason is reported
        return f"error: {error.__class__.__name__}"
    return "ok"


def cache_check():
    """ "ok" when a value written to the cache reads back, else "down". The cache backend
    ignores connection errors (a miss), so a value not read back is the outage's sign."""
    key, token = f"health:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, token, 10)
        found = cache.get(key)
        cache.delete(key)
    except Exception as error:
        logger.warning("cache check failed: %s", error.__class__.__name__)
        return "down"
    return "ok" if found == token else "down"


@require_safe
@never_cache
def health(request):
    checks = {"database": database_check(), "cache": cache_check()}
    if checks["database"] != "ok":
        status, code = "error", 503
    elif checks["cache"] != "ok":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    if antivirus.scanner_configured():
        # Without the scanner every upload is refused (fail closed), but reading, scoring and
        # publishing go on: reported, without taking the server out of the load balancer.
        try:
            antivirus.ping()
            checks["antivirus"] = "ok"
        except antivirus.ScannerUnavailable:
            checks["antivirus"] = "error: unreachable, uploads refused"
            if status == "ok":
                status = "degraded"
    for shipper in shipping_handlers():
        # LOG-05: logs and audit rows not reaching the collector is an alert, not an outage.
        failure = shipper.heartbeat()
        checks["log_shipping"] = "ok" if failure is None else f"error: {failure}"
        if failure is not None and status == "ok":
            status = "degraded"
    return JsonResponse({"status": status, "checks": checks}, status=code)

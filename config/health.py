"""Health endpoint for load balancers and orchestrators: checks the database and the cache."""

import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from cases import antivirus


@never_cache
def health(request):
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as error:  # any failure means unhealthy; the reason is reported
        checks["database"] = f"error: {error.__class__.__name__}"
    try:
        key, token = f"health:{uuid.uuid4().hex}", uuid.uuid4().hex
        cache.set(key, token, 10)
        checks["cache"] = "ok" if cache.get(key) == token else "error: value not read back"
        cache.delete(key)
    except Exception as error:
        checks["cache"] = f"error: {error.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "error", "checks": checks}
    if antivirus.scanner_configured():
        # Without the scanner every upload is refused (fail closed), but reading, scoring and
        # publishing go on: reported, without taking the server out of the load balancer.
        try:
            antivirus.ping()
            checks["antivirus"] = "ok"
        except antivirus.ScannerUnavailable:
            checks["antivirus"] = "error: unreachable, uploads refused"
            if healthy:
                body["status"] = "degraded"
    return JsonResponse(body, status=200 if healthy else 503)

"""The generic error pages (SECURITY.md CFG-03): 400, 403, 404, 429 and 500 come from
`templates/<status>.html` through Django's default handlers and `config.ratelimit`; a CSRF
failure is answered here, so it says in the visitor's language what happened and what to do,
without the reason Django found (which names cookies and headers)."""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    """`CSRF_FAILURE_VIEW`: 403 with `templates/403_csrf.html`."""
    response = render(request, "403_csrf.html", status=403)
    response["Cache-Control"] = "no-store"
    return response

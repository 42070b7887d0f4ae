from django.conf import settings


def session_timeout(request):
    """Numbers for the timeout warning of static/js/session-timeout.js."""
    return {
        "session_idle_timeout": settings.SESSION_IDLE_TIMEOUT,
        "session_timeout_warning": min(
            settings.SESSION_TIMEOUT_WARNING, settings.SESSION_IDLE_TIMEOUT
        ),
    }

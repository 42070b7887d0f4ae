"""Per-request rules of a signed-in session: it ends after SESSION_IDLE_TIMEOUT without a
request or SESSION_ABSOLUTE_TIMEOUT after log-in; until the second factor is verified an
account that needs it reaches only the verification, enrolment and log-out pages; a staff
password past its age reaches only the password change."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import policy
from .services import SESSION_LOGIN_AT, SESSION_SEEN_AT

# The "last seen" stamp is rewritten at most every minute (a tenth of the idle timeout when
# that is shorter), so that a page view does not write the session each time; the idle
# timeout is exact to within that.
SEEN_RESOLUTION = 60


def _wants_json(request):
    return request.headers.get("x-requested-with") == "fetch" or request.path == reverse(
        "session-keepalive"
    )


def _to_login(request, message):
    # After a POST the form's own address (forms here post to the page that shows them); what
    # was typed is restored in the browser by static/js/session-timeout.js.
    next_path = request.get_full_path() if request.method == "GET" else request.path
    messages.warning(request, message)
    return redirect(f"{reverse('login')}?{urlencode({'next': next_path, 'expired': 1})}")


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(timezone.now().timestamp())
            login_at = request.session.get(SESSION_LOGIN_AT)
            seen_at = request.session.get(SESSION_SEEN_AT)
            if login_at is None or seen_at is None:
                # A session from before this rule (or made without log-in): start its clocks.
                login_at = login_at or now
                request.session[SESSION_LOGIN_AT] = login_at
                request.session[SESSION_SEEN_AT] = seen_at = now
            expired = (
                now - seen_at > settings.SESSION_IDLE_TIMEOUT
                or now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT
            )
            if expired:
                logout(request)
                if _wants_json(request):
                    return JsonResponse({"status": "expired"}, status=401)
                return _to_login(request, _("登录已超时,请重新登录。"))
            if now - seen_at >= min(SEEN_RESOLUTION, settings.SESSION_IDLE_TIMEOUT // 10):
                request.session[SESSION_SEEN_AT] = now
        return self.get_response(request)


def _path_names(*names):
    return {reverse(name) for name in names}


class _GateMiddleware:
    """Let an authenticated request through only to a few paths while a condition holds."""

    allowed_names = ()

    def __init__(self, get_response):
        self.get_response = get_response
        self._allowed = None

    def allowed(self, request):
        if self._allowed is None:
            self._allowed = _path_names(*self.allowed_names)
        path = request.path
        static = "/" + settings.STATIC_URL.lstrip("/")
        return path in self._allowed or path.startswith((static, "/i18n/", "/healthz"))


class SecondFactorRequiredMiddleware(_GateMiddleware):
    allowed_names = ("mfa-verify", "mfa-enrol", "logout", "session-keepalive")

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and not self.allowed(request)
            and policy.second_factor_required(user)
        ):
            if _wants_json(request):
                return JsonResponse({"status": "second_factor_required"}, status=403)
            target = "mfa-verify" if _has_device(user) else "mfa-enrol"
            query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
            return redirect(reverse(target) + (f"?{query}" if query else ""))
        return self.get_response(request)


def _has_device(user):
    from django_otp import user_has_device

    return user_has_device(user)


class PasswordRotationMiddleware(_GateMiddleware):
    allowed_names = (
        "password_change",
        "password_change_done",
        "logout",
        "mfa-verify",
        "mfa-enrol",
        "session-keepalive",
    )

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not self.allowed(request) and policy.password_expired(user):
            messages.warning(
                request,
                _("您的密码已使用超过 %(days)d 天,请先设置新密码。")
                % {"days": settings.PASSWORD_MAX_AGE_DAYS_STAFF},
            )
            return redirect("password_change")
        return self.get_response(request)

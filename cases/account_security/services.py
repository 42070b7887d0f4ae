"""Writes of account security: what a log-in, a failure, a lockout and a log-out leave in the
audit trail, the user's session list, the second factor's enrolment, verification and reset,
unlocking, ending a user's sessions, and the mail sent when a credential changes.

Codes written (each with the actor, the user as object, never a password or an OTP code):
accounts.login.succeeded / .failed / .locked, accounts.logout, accounts.user.unlocked,
accounts.user.sessions_ended, accounts.password.changed, accounts.mfa.enrolled / .verified /
.failed / .reset.
"""

import datetime
from base64 import b32encode
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY, verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..services.lifecycle import audit_log
from . import policy
from .models import UserSession

# How much of a typed login is kept in the audit trail.
AUDIT_USERNAME_MAX = 100
SESSION_LOGIN_AT = "_sec_login_at"
SESSION_SEEN_AT = "_sec_seen_at"


class UnknownLogin:
    """Audit object of a failure for an address that is no account (audit_log wants one)."""

    pk = ""

    class _meta:  # the shape audit_log reads from a model instance
        label_lower = "accounts.login"

    def __init__(self, typed):
        self.typed = typed

    def __str__(self):
        return self.typed


def _typed(username):
    return str(username or "").strip()[:AUDIT_USERNAME_MAX]


def _user_for_login(typed):
    if not typed:
        return None
    return get_user_model().objects.filter(email__iexact=typed).first()


# --- Log-in, failure, lockout, log-out (receivers of django.contrib.auth / axes signals) ---
def login_succeeded(*, request, user):
    """Start the session's clocks, record the session, audit."""
    now = int(timezone.now().timestamp())
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_SEEN_AT] = now
    session_record(request=request, user=user)
    audit_log(
        code="accounts.login.succeeded",
        obj=user,
        by=user,
        data={"second_factor_required": policy.second_factor_required(user)},
    )


def login_failed(*, credentials, request=None):
    typed = _typed((credentials or {}).get("username"))
    user = _user_for_login(typed)
    locked = bool(getattr(request, "axes_locked_out", False))
    audit_log(
        code="accounts.login.failed",
        obj=user or UnknownLogin(typed),
        data={"username": typed, "locked": locked},
    )


def login_locked(*, username):
    typed = _typed(username)
    user = _user_for_login(typed)
    audit_log(
        code="accounts.login.locked",
        obj=user or UnknownLogin(typed),
        data={"username": typed, "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
    )


def logged_out(*, request, user):
    if user is None:
        return
    UserSession.objects.filter(session_key=request.session.session_key).delete()
    audit_log(code="accounts.logout", obj=user, by=user)


# --- Sessions ---------------------------------------------------------------------------------
def session_record(*, request, user):
    """Remember that this session belongs to `user` (call again after the key changes), and
    forget the user's sessions that have outlived the absolute timeout anyway."""
    if not request.session.session_key:
        request.session.save()
    UserSession.objects.filter(
        user=user,
        created_at__lt=timezone.now()
        - datetime.timedelta(seconds=settings.SESSION_ABSOLUTE_TIMEOUT),
    ).delete()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key, defaults={"user": user}
    )


def session_key_cycle(*, request):
    """New session key for the same data (privilege change), kept in the user's list."""
    old_key = request.session.session_key
    request.session.cycle_key()
    UserSession.objects.filter(session_key=old_key).update(session_key=request.session.session_key)


def sessions_end_for_user(*, user, by=None):
    """Delete every server-side session of `user` (db, cached_db or cache engine). Returns
    how many there were."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(user=user).delete()
    audit_log(code="accounts.user.sessions_ended", obj=user, by=by, data={"sessions": len(keys)})
    return len(keys)


# --- Lockout ----------------------------------------------------------------------------------
def user_unlock(*, user, by):
    """Clear the login failures of `user` (every address they were typed from)."""
    from axes.utils import reset

    count = reset(username=user.email.lower())
    audit_log(code="accounts.user.unlocked", obj=user, by=by, data={"attempts": count})
    return count


def attempts_unlocked(*, attempts, by):
    """Audit the axes records an organiser deleted in the back office."""
    for attempt in attempts:
        user = _user_for_login(attempt.username)
        audit_log(
            code="accounts.user.unlocked",
            obj=user or UnknownLogin(_typed(attempt.username)),
            by=by,
            data={"username": _typed(attempt.username), "ip": attempt.ip_address},
        )


# --- Credentials changed ----------------------------------------------------------------------
def credentials_changed_notify(*, user, what):
    """Mail the user that their password or second factor changed (AUTH-08)."""
    labels = {"password": _("登录密码"), "second_factor": _("双因素认证(动态口令)")}
    body = render_to_string(
        "registration/credentials_changed_email.txt",
        {
            "user": user,
            "what": labels[what],
            "when": timezone.localtime(),
            "site": settings.SITE_URL,
        },
    )
    subject = _("您的账号安全信息已变更:%(what)s") % {"what": labels[what]}
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email]))


def password_changed(*, user, by=None, how="change"):
    audit_log(code="accounts.password.changed", obj=user, by=by or user, data={"how": how})
    credentials_changed_notify(user=user, what="password")


# --- Second factor ----------------------------------------------------------------------------
def totp_device_pending(*, user):
    """The unconfirmed TOTP device being enrolled (created on first call)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("动态口令"), confirmed=False)
    return device


def totp_secret_text(device):
    """The key as an authenticator app asks for it: base32 in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalise_token(token):
    return "".join(str(token or "").split()).lower()


def second_factor_enrol(*, user, device, token):
    """Confirm the pending TOTP device with a code from the app and issue the backup codes.
    Returns `(device, backup_codes)` — the codes are shown once, never again — or None when
    the code is wrong."""
    token = normalise_token(token)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if not device.verify_token(token):
            audit_log(code="accounts.mfa.failed", obj=user, by=user, data={"step": "enrol"})
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = backup_codes_issue(user=user)
        audit_log(code="accounts.mfa.enrolled", obj=user, by=user, data={"device": "totp"})
        credentials_changed_notify(user=user, what="second_factor")
    return device, codes


def backup_codes_issue(*, user):
    """Replace the user's static device with MFA_BACKUP_CODE_COUNT new one-time codes."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=_("备用码"), confirmed=True)
    codes = [StaticToken.random_token() for _i in range(settings.MFA_BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def second_factor_verify(*, request, token):
    """Check a TOTP or backup code of `request.user`; on success mark the session verified
    (django-otp) under a new session key. Returns the device or None."""
    user = request.user
    token = normalise_token(token)
    device = None
    if token:
        for candidate in [*TOTPDevice.objects.filter(user=user, confirmed=True)] + [
            *StaticDevice.objects.filter(user=user, confirmed=True)
        ]:
            device = verify_token(user, candidate.persistent_id, token)
            if device is not None:
                break
    if device is None:
        audit_log(code="accounts.mfa.failed", obj=user, by=user, data={"step": "verify"})
        return None
    second_factor_login(request=request, device=device)
    kind = "backup_code" if isinstance(device, StaticDevice) else "totp"
    audit_log(code="accounts.mfa.verified", obj=user, by=user, data={"device": kind})
    return device


def second_factor_login(*, request, device):
    session_key_cycle(request=request)
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    request.user.otp_device = device


def second_factor_reset(*, user, by):
    """Remove the user's TOTP device and backup codes and end their sessions: at the next
    log-in they enrol again."""
    with transaction.atomic():
        devices = [*TOTPDevice.objects.filter(user=user), *StaticDevice.objects.filter(user=user)]
        for device in devices:
            device.delete()
        audit_log(code="accounts.mfa.reset", obj=user, by=by, data={"devices": len(devices)})
        sessions_end_for_user(user=user, by=by)
        credentials_changed_notify(user=user, what="second_factor")

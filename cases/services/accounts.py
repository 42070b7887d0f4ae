"""Unit accounts: registration with a unit, invitations of colleagues, e-mail confirmation.

Tokens are signed (django.core.signing) rather than stored: an invitation or a confirmation
link carries the unit or user and the e-mail address it was made for, and expires.
"""

import re

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import MembershipRole, Unit, UnitMembership, User
from .lifecycle import DomainError, audit_log
from .privacy import consent_record

INVITATION_SALT = "cases.unit.invitation"
INVITATION_MAX_AGE = 14 * 24 * 3600
CONFIRMATION_SALT = "cases.user.email-confirmation"
CONFIRMATION_MAX_AGE = 7 * 24 * 3600


def normalise_unit_name(name):
    """The form in which unit names are stored and compared: trimmed, inner runs of white
    space collapsed, half-width brackets turned into the full-width ones Chinese names use."""
    name = re.sub(r"\s+", " ", (name or "").strip())
    return name.replace("(", "(").replace(")", ")")


def unit_find(name):
    """The unit with this (normalised) name, or None."""
    name = normalise_unit_name(name)
    if not name:
        return None
    return Unit.objects.filter(name__iexact=name).first()


def site_url(path):
    return settings.SITE_URL.rstrip("/") + path


def _send_after_commit(*, subject, template, context, to):
    body = render_to_string(template, context)
    recipients = sorted({address for address in to if address})
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients))


# --- Registration --------------------------------------------------------------------------
def unit_register(
    *,
    email,
    password,
    full_name,
    phone,
    unit_name,
    unit_type="",
    unit_level="",
    unit_region=None,
    unit_contact_phone="",
    privacy_notice_version="",
):
    """Create a person's account with their unit and return `(user, unit)`.

    `privacy_notice_version` is the version of the privacy notice the person agreed to on
    the form (DATA-03); it is recorded with the time on the account.

    A new unit is created unverified with the person as its administrator. An existing unit
    is never duplicated: if it already has members, joining it takes an invitation from its
    administrator (otherwise anybody could read its cases); if nobody holds it yet, the
    person becomes its administrator and the unit goes back to the organiser for
    verification, since verification vouches for the people who hold the account.
    """
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(_("该邮箱已注册,请直接登录;忘记密码可以重设。"))
    with transaction.atomic():
        unit = unit_find(unit_name)
        if unit is not None and unit.memberships.exists():
            raise DomainError(
                _("“%(unit)s”已有账号。请联系本单位的账号管理员向您发送邀请。") % {"unit": unit}
            )
        claimed = unit is not None
        if unit is None:
            if not unit_type:
                raise DomainError(_("请选择单位类型。"))
            unit = Unit.objects.create(
                name=normalise_unit_name(unit_name),
                type=unit_type,
                level=unit_level,
                region=unit_region,
                contact_phone=unit_contact_phone,
            )
        else:
            unit.verified = False
            unit.verified_at = None
            if unit_contact_phone and not unit.contact_phone:
                unit.contact_phone = unit_contact_phone
            unit.save(update_fields=["verified", "verified_at", "contact_phone"])
        try:
            user = User.objects.create_user(
                email=email, password=password, full_name=full_name, phone=phone
            )
        except IntegrityError as error:  # a concurrent registration with the same address
            raise DomainError(_("该邮箱已注册,请直接登录;忘记密码可以重设。")) from error
        if privacy_notice_version:
            consent_record(user=user, version=privacy_notice_version)
        UnitMembership.objects.create(unit=unit, user=user, role=MembershipRole.ADMIN)
        audit_log(
            code="cases.unit.claimed" if claimed else "cases.unit.registered",
            obj=unit,
            by=user,
            data={"user": user.pk},
        )
        email_confirmation_send(user=user)
    return user, unit


# --- E-mail confirmation -------------------------------------------------------------------
def email_confirmation_token(user):
    return signing.dumps({"user": user.pk, "email": user.email}, salt=CONFIRMATION_SALT)


def email_confirmation_send(*, user):
    """Mail the user a link that confirms their address (sent when the transaction commits)."""
    link = site_url(reverse("email-confirm", kwargs={"token": email_confirmation_token(user)}))
    _send_after_commit(
        subject=_("请确认您的邮箱 · 治理创新案例评选平台"),
        template="registration/email_confirmation_email.txt",
        context={"user": user, "link": link},
        to=[user.email],
    )


def email_confirm(*, token):
    """Mark the address in the token as confirmed and return the user."""
    try:
        payload = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired as error:
        raise DomainError(_("确认链接已过期,请登录后重新发送确认邮件。")) from error
    except signing.BadSignature as error:
        raise DomainError(_("确认链接无效。")) from error
    user = User.objects.filter(pk=payload.get("user"), email__iexact=payload.get("email")).first()
    if user is None:
        raise DomainError(_("确认链接无效。"))
    if user.email_confirmed_at is None:
        with transaction.atomic():
            user.email_confirmed_at = timezone.now()
            user.save(update_fields=["email_confirmed_at"])
            audit_log(code="cases.user.email_confirmed", obj=user, by=user)
    return user


# --- Invitations ---------------------------------------------------------------------------
def unit_invite(*, unit, email, by):
    """Invite a colleague to join `unit` by e-mail; only the unit's administrator may.
    Returns the signed token mailed in the link."""
    email = User.objects.normalize_email(email).strip().lower()
    if not UnitMembership.objects.filter(unit=unit, user=by, role=MembershipRole.ADMIN).exists():
        raise DomainError(_("只有单位账号管理员可以邀请同事。"))
    if UnitMembership.objects.filter(unit=unit, user__email__iexact=email).exists():
        raise DomainError(_("%(email)s 已是本单位成员。") % {"email": email})
    token = signing.dumps({"unit": unit.pk, "email": email}, salt=INVITATION_SALT)
    link = site_url(reverse("invitation-accept", kwargs={"token": token}))
    with transaction.atomic():
        audit_log(code="cases.unit.member_invited", obj=unit, by=by, data={"email": email})
        _send_after_commit(
            subject=_("%(unit)s 邀请您加入案例申报账号") % {"unit": unit.name},
            template="registration/invitation_email.txt",
            context={"unit": unit, "inviter": by, "link": link, "email": email},
            to=[email],
        )
    return token


def invitation_read(token):
    """`(unit, email)` of a valid invitation token; raises DomainError otherwise."""
    try:
        payload = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.SignatureExpired as error:
        raise DomainError(_("邀请链接已过期,请请单位管理员重新邀请。")) from error
    except signing.BadSignature as error:
        raise DomainError(_("邀请链接无效。")) from error
    unit = Unit.objects.filter(pk=payload.get("unit")).first()
    if unit is None:
        raise DomainError(_("邀请链接无效。"))
    return unit, payload["email"]


def invitation_accept(
    *, token, user=None, full_name="", phone="", password="", privacy_notice_version=""
):
    """Join the invited unit. A signed-in user must be the invited address; without `user`
    an account is created for the invited address (which the link itself confirms)."""
    unit, email = invitation_read(token)
    with transaction.atomic():
        if user is None:
            if User.objects.filter(email__iexact=email).exists():
                raise DomainError(_("%(email)s 已有账号,请先登录再接受邀请。") % {"email": email})
            user = User.objects.create_user(
                email=email,
                password=password,
                full_name=full_name,
                phone=phone,
                email_confirmed_at=timezone.now(),
            )
            if privacy_notice_version:
                consent_record(user=user, version=privacy_notice_version)
        elif user.email.lower() != email:
            raise DomainError(
                _("这份邀请是发给 %(email)s 的,请用该邮箱的账号登录后接受。") % {"email": email}
            )
        _membership, created = UnitMembership.objects.get_or_create(
            unit=unit, user=user, defaults={"role": MembershipRole.MEMBER}
        )
        if created:
            audit_log(code="cases.unit.member_joined", obj=unit, by=user, data={"user": user.pk})
    return user, unit

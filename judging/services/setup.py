"""Judges' accounts and invitations.

An imported or newly added judge gets a login account (their e-mail, no usable password).
The invitation e-mail carries a link built with Django's password-reset token machinery
(`default_token_generator`): it lets the judge choose a password once, expires after
`PASSWORD_RESET_TIMEOUT`, and stops working as soon as the password is set.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from cases.services import DomainError, audit_log

from ..models import Judge
from .mailing import mail_after_commit, site_url


def judge_account_for(*, judge, email):
    """The login account `judge` should have for `email`: the existing user with that
    address (case-insensitive) or a new one without a usable password. Refuses an address
    that already belongs to another judge. Does not save the judge."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(_("“%(email)s”不是有效的电子邮箱地址。") % {"email": email}) from None
    user_model = get_user_model()
    user = user_model.objects.filter(email__iexact=email).first()
    if user is None:
        user = user_model.objects.create_user(email=email, password=None, full_name=judge.name)
    else:
        other = Judge.objects.filter(user=user).exclude(pk=judge.pk).first()
        if other is not None:
            raise DomainError(
                _("电子邮箱 %(email)s 已属于专家%(other)s。")
                % {"email": email, "other": other.name}
            )
    return user


def invitation_link(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return site_url(reverse("judging:invitation-accept", kwargs={"uidb64": uid, "token": token}))


def _programme_name(judge):
    panel = judge.panels.select_related("edition__programme").order_by("-edition__year").first()
    return panel.edition.programme.name if panel else _("案例评选平台")


def judge_invite(*, judge, by):
    """E-mail `judge` an invitation with a link to set their password; stamps `invited_at`
    and writes `judging.judge.invited`. Needs a login account with an e-mail."""
    if judge.user_id is None or not judge.user.email:
        raise DomainError(_("专家%(judge)s还没有登录账号(电子邮箱)。") % {"judge": judge.name})
    if not judge.user.is_active:
        raise DomainError(_("专家%(judge)s的账号已停用。") % {"judge": judge.name})
    with transaction.atomic():
        judge.invited_at = timezone.now()
        judge.save(update_fields=["invited_at"])
        mail_after_commit(
            template="judging/email/judge_invitation",
            context={
                "judge": judge,
                "email": judge.user.email,
                "link": invitation_link(judge.user),
                "programme_name": _programme_name(judge),
                "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
            },
            to=[judge.user.email],
        )
        audit_log(code="judging.judge.invited", obj=judge, by=by, data={"email": judge.user.email})
    return judge


def judge_invite_many(*, judges, by):
    """Invite several judges; returns `(invited, [(judge, message), …])`."""
    invited, failed = [], []
    for judge in judges:
        try:
            judge_invite(judge=judge, by=by)
        except DomainError as error:
            failed.append((judge, str(error)))
        else:
            invited.append(judge)
    return invited, failed

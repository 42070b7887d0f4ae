"""Who needs what: the second factor, a password change."""

import datetime

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone


def second_factor_required(user):
    """Organisers (staff) and judges need a second factor whenever MFA_REQUIRED is on."""
    if not settings.MFA_REQUIRED or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return any(_has_related(user, name) for name in settings.MFA_REQUIRED_RELATIONS)


def _has_related(user, name):
    try:
        return getattr(user, name) is not None
    except (ObjectDoesNotExist, AttributeError):
        return False


def password_expired(user):
    """Staff passwords older than PASSWORD_MAX_AGE_DAYS_STAFF must be changed (AUTH-03);
    other accounts never rotate."""
    days = settings.PASSWORD_MAX_AGE_DAYS_STAFF
    if not days or not user.is_authenticated or not user.is_staff:
        return False
    if not user.has_usable_password():
        return False
    changed = user.password_changed_at or user.date_joined
    return changed < timezone.now() - datetime.timedelta(days=days)

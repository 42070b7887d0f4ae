"""AUTH-01: no shared or default account may be active in production."""

import functools
import operator

from django.contrib.auth import get_user_model
from django.db.models import Q

DEFAULT_ACCOUNT_NAMES = ("admin", "administrator", "root", "test")


def default_accounts_active():
    """Active users whose e-mail local part is a default account name (admin@…, root@…)."""
    named = functools.reduce(
        operator.or_, (Q(email__istartswith=f"{name}@") for name in DEFAULT_ACCOUNT_NAMES)
    )
    return list(get_user_model().objects.filter(named, is_active=True).order_by("email"))

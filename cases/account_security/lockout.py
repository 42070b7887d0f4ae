"""django-axes configuration: which username a failure counts against, the tiered limits, and
the answer a locked-out visitor gets (the login page with the same message as a wrong
password, so a lock does not tell an attacker that the account exists)."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings

# The e-mail address typed is kept this long (the column holds 255; the field allows 254).
TYPED_USERNAME_MAX = 254


def typed_username(request, credentials):
    """The login the failure counts against: the address typed, trimmed, lower-cased (log-in
    is case-insensitive) and cut to the column's length."""
    value = ""
    if credentials:
        value = credentials.get(settings.AXES_USERNAME_FORM_FIELD) or ""
    if not value and request is not None and hasattr(request, "POST"):
        value = request.POST.get(settings.AXES_USERNAME_FORM_FIELD, "")
    return str(value).strip().lower()[:TYPED_USERNAME_MAX]


class TieredLockoutHandler(AxesDatabaseHandler):
    """One failure counter per lockout parameter of AXES_LOCKOUT_PARAMETERS, each with its own
    limit: (username, IP) at AXES_FAILURE_LIMIT, IP alone at AXES_IP_FAILURE_LIMIT, username
    alone at AXES_ACCOUNT_FAILURE_LIMIT (0 turns a tier off).

    axes compares one number with one limit, so `get_failures` answers the failures of the
    tier closest to its limit, shifted onto AXES_FAILURE_LIMIT's scale."""

    def _tier_limits(self):
        return [
            settings.AXES_FAILURE_LIMIT,
            settings.AXES_IP_FAILURE_LIMIT,
            settings.AXES_ACCOUNT_FAILURE_LIMIT,
        ]

    def get_failures(self, request, credentials=None):
        limit = settings.AXES_FAILURE_LIMIT
        shifted = [0]
        for attempts, tier_limit in zip(
            self.get_user_attempts(request, credentials), self._tier_limits(), strict=True
        ):
            if not tier_limit:
                continue
            failures = sum(attempts.values_list("failures_since_start", flat=True))
            shifted.append(failures - tier_limit + limit)
        return max(shifted)

    def reset_user_attempts(self, request, credentials=None):
        """A successful log-in clears the failures of its own (username, IP) pair only: the
        IP's failures against other accounts keep counting."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count

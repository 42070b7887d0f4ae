"""Django's and django-axes' authentication signals are the only hook into log-in, failure,
lockout and log-out; each receiver hands over to a service."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import services


@receiver(user_logged_in, dispatch_uid="account_security.logged_in")
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        services.login_succeeded(request=request, user=user)


@receiver(user_login_failed, dispatch_uid="account_security.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    services.login_failed(credentials=credentials, request=request)


@receiver(user_locked_out, dispatch_uid="account_security.locked_out")
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    services.login_locked(username=username)


@receiver(user_logged_out, dispatch_uid="account_security.logged_out")
def _logged_out(sender, request, user, **kwargs):
    services.logged_out(request=request, user=user)

"""Second-factor pages (verify, enrol, QR code), the keep-alive ping of the timeout warning,
and Django's password views with the audit row and the notification mail."""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView
from django_otp import user_has_device

from . import services
from .forms import OTPEnrolForm, OTPTokenForm


def _next_url(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _default_after_login(user):
    return reverse("admin:index") if user.is_staff else reverse("portal:case-list")


class SecondFactorVerifyView(LoginRequiredMixin, FormView):
    """The step after the password: a TOTP code (or one backup code)."""

    template_name = "registration/mfa_verify.html"
    form_class = OTPTokenForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if request.user.is_verified():
                return redirect(_next_url(request, _default_after_login(request.user)))
            if not user_has_device(request.user):
                return redirect(f"{reverse('mfa-enrol')}?{request.GET.urlencode()}")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=_next_url(self.request, ""), **kwargs)

    def form_valid(self, form):
        device = services.second_factor_verify(
            request=self.request, token=form.cleaned_data["token"]
        )
        if device is None:
            form.add_error("token", _("口令不正确、已使用过或已过期,请输入验证器上当前的口令。"))
            return self.form_invalid(form)
        return redirect(_next_url(self.request, _default_after_login(self.request.user)))


class SecondFactorEnrolView(LoginRequiredMixin, FormView):
    """First log-in of an account that needs the second factor: scan the QR code (or type the
    key), confirm with a code, then see the ten backup codes once."""

    template_name = "registration/mfa_enrol.html"
    form_class = OTPEnrolForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and user_has_device(request.user):
            return redirect(f"{reverse('mfa-verify')}?{request.GET.urlencode()}")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        device = services.totp_device_pending(user=self.request.user)
        qr = segno.make(device.config_url, error="m")
        return super().get_context_data(
            qr_data_uri=qr.png_data_uri(scale=5, border=2),
            secret=services.totp_secret_text(device),
            next=_next_url(self.request, ""),
            **kwargs,
        )

    def form_valid(self, form):
        device = services.totp_device_pending(user=self.request.user)
        result = services.second_factor_enrol(
            user=self.request.user, device=device, token=form.cleaned_data["token"]
        )
        if result is None:
            form.add_error("token", _("口令不正确,请确认手机时间准确后输入验证器上当前的口令。"))
            return self.form_invalid(form)
        device, codes = result
        services.second_factor_login(request=self.request, device=device)
        return render(
            self.request,
            "registration/mfa_backup_codes.html",
            {
                "codes": codes,
                "next": _next_url(self.request, _default_after_login(self.request.user)),
            },
        )


class KeepAliveView(View):
    """Pinged by the timeout warning's "继续保持登录": a request, so the idle clock restarts."""

    def post(self, request):
        if not request.user.is_authenticated:
            return JsonResponse({"status": "expired"}, status=401)
        request.session[services.SESSION_SEEN_AT] = int(timezone.now().timestamp())
        return JsonResponse({"status": "ok", "idle_timeout": settings.SESSION_IDLE_TIMEOUT})


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        # update_session_auth_hash gave the session a new key: keep it in the user's list.
        services.session_record(request=self.request, user=form.user)
        services.password_changed(user=form.user, how="change")
        messages.success(self.request, _("密码已修改。"))
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's single-use token; the reset does not log in (the second factor still follows
    at the next log-in), ends the user's other sessions and mails the user."""

    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        services.sessions_end_for_user(user=form.user, by=None)
        services.password_changed(user=form.user, by=None, how="reset")
        return response

"""Accounts of unit members: register with a unit, confirm the e-mail address, log in and out,
invite colleagues and accept an invitation. Password reset and change are Django's views
with our templates (templates/registration/)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Prefetch
from django.forms.utils import ErrorDict
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from .. import privacy
from ..account_security.forms import GENERIC_LOGIN_ERROR, LoginForm
from ..forms.accounts import InvitationAcceptForm, InvitationForm, RegistrationForm
from ..models import UnitMembership
from ..permissions import is_unit_admin
from ..portal_selectors import known_unit_names
from ..services import DomainError
from ..services import accounts as services

BACKEND = "cases.account_security.backends.UserBackend"


def landing_url(user):
    """Where a user lands after logging in without a `next`: an organiser (staff with any
    permission of the back office's apps — staff status alone is not enough) in the back
    office, a judge in the workspace, everyone else (a unit) in the portal. The judge check
    reads the reverse one-to-one by name so that cases does not import judging."""
    if user.is_staff and (user.has_module_perms("cases") or user.has_module_perms("judging")):
        return reverse("admin:index")
    if getattr(user, "judge", None) is not None:
        return reverse("judging:round-list")
    return reverse("portal:case-list")


class LoginView(auth_views.LoginView):
    """E-mail and password; django-axes counts the failures (cases/account_security). Without
    a `next`, each role lands on its own home (`landing_url`)."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return landing_url(self.request.user)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view, with the mail's link built from `SITE_URL` like every other mail
    (not from the Host header of the request)."""

    @property
    def extra_email_context(self):
        return {"site_url": settings.SITE_URL.rstrip("/")}


def login_locked_out(request, original_response=None, credentials=None):
    """What django-axes answers a locked-out login: the login page with the generic error of a
    wrong password (AXES_LOCKOUT_CALLABLE); the form is not run again."""
    form = LoginForm(request, data=request.POST)
    form.cleaned_data = {}
    form._errors = ErrorDict()
    form.add_error(None, GENERIC_LOGIN_ERROR)
    form.fields["password"].widget.render_value = False
    view = LoginView(request=request, args=(), kwargs={})
    view.setup(request)
    return view.render_to_response(view.get_context_data(form=form)).render()


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("cases:home")


class RegisterView(FormView):
    template_name = "registration/register.html"
    form_class = RegistrationForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("portal:case-list")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            unit_names=known_unit_names(), **privacy.notice_context(), **kwargs
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            user, unit = services.unit_register(
                email=data["email"],
                password=data["password1"],
                full_name=data["full_name"],
                phone=data["phone"],
                unit_name=data["unit_name"],
                unit_type=data["unit_type"],
                unit_level=data["unit_level"],
                unit_region=data["unit_region"],
                unit_contact_phone=data["unit_contact_phone"],
                privacy_notice_version=privacy.NOTICE_VERSION,
            )
        except DomainError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        login(self.request, user, backend=BACKEND)
        messages.success(
            self.request,
            _(
                "注册成功。确认邮件已发送到 %(email)s。“%(unit)s”经组织方核验后即可提交案例,"
                "在此之前可以先填写和保存草稿。"
            )
            % {"email": user.email, "unit": unit.name},
        )
        return redirect("portal:case-list")


class EmailConfirmView(View):
    def get(self, request, token):
        try:
            services.email_confirm(token=token)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("邮箱已确认。"))
        return redirect("portal:case-list" if request.user.is_authenticated else "login")


class EmailConfirmResendView(LoginRequiredMixin, View):
    def post(self, request):
        if request.user.email_confirmed_at is None:
            services.email_confirmation_send(user=request.user)
            messages.success(request, _("确认邮件已重新发送到 %s。") % request.user.email)
        return redirect("portal:case-list")


class UnitMembersView(LoginRequiredMixin, TemplateView):
    """The user's units and their members; a unit's administrator invites colleagues here."""

    template_name = "cases/unit_members.html"

    @cached_property
    def memberships(self):
        return list(
            UnitMembership.objects.filter(user=self.request.user)
            .select_related("unit", "unit__region")
            .prefetch_related(
                Prefetch(
                    "unit__memberships",
                    queryset=UnitMembership.objects.select_related("user").order_by("pk"),
                )
            )
            .order_by("unit__name")
        )

    def get_context_data(self, **kwargs):
        kwargs.setdefault("invite_form", InvitationForm())
        return super().get_context_data(memberships=self.memberships, **kwargs)

    def post(self, request):
        unit = next(
            (m.unit for m in self.memberships if str(m.unit_id) == request.POST.get("unit")),
            None,
        )
        form = InvitationForm(request.POST)
        if unit is None or not is_unit_admin(request.user, unit.pk):
            messages.error(request, _("只有单位账号管理员可以邀请同事。"))
            return redirect("unit-members")
        if form.is_valid():
            try:
                services.unit_invite(unit=unit, email=form.cleaned_data["email"], by=request.user)
            except DomainError as error:
                form.add_error("email", str(error))
            else:
                messages.success(
                    request,
                    _("邀请邮件已发送到 %(email)s。") % {"email": form.cleaned_data["email"]},
                )
                return redirect("unit-members")
        return self.render_to_response(
            self.get_context_data(invite_form=form, invite_unit_id=unit.pk)
        )


class InvitationAcceptView(TemplateView):
    """Anonymous visitors create their account here; a signed-in user with the invited
    address joins with one click; anybody else is told whom the invitation is for."""

    template_name = "registration/invitation_accept.html"

    def dispatch(self, request, *args, **kwargs):
        try:
            self.unit, self.email = services.invitation_read(kwargs["token"])
        except DomainError as error:
            messages.error(request, str(error))
            return redirect("cases:home")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        if not self.request.user.is_authenticated:
            kwargs.setdefault("form", InvitationAcceptForm(invited_email=self.email))
        return super().get_context_data(
            unit=self.unit,
            invited_email=self.email,
            login_url=f"{reverse('login')}?next={self.request.path}",
            **privacy.notice_context(),
            **kwargs,
        )

    def post(self, request, token):
        user = request.user if request.user.is_authenticated else None
        form = None
        if user is None:
            form = InvitationAcceptForm(request.POST, invited_email=self.email)
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data if form else {}
        try:
            user, unit = services.invitation_accept(
                token=token,
                user=user,
                full_name=data.get("full_name", ""),
                phone=data.get("phone", ""),
                password=data.get("password1", ""),
                privacy_notice_version=privacy.NOTICE_VERSION if form else "",
            )
        except DomainError as error:
            messages.error(request, str(error))
            return self.render_to_response(self.get_context_data(form=form))
        if not request.user.is_authenticated:
            login(request, user, backend=BACKEND)
        messages.success(request, _("您已加入“%(unit)s”。") % {"unit": unit.name})
        return redirect("portal:case-list")

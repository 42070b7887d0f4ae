"""The page an invited judge opens from the invitation e-mail to set their password, and
agree to the privacy notice (SECURITY.md DATA-03) before the account is used."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.generic import TemplateView

from cases import privacy
from cases.forms.accounts import privacy_consent_field
from cases.services.privacy import consent_record


class JudgeSetPasswordForm(SetPasswordForm):
    privacy_consent = privacy_consent_field()


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """Django's password-reset confirmation with our own page and wording; an expired or
    used link shows a message instead of the form."""

    template_name = "judging/invitation_accept.html"
    form_class = JudgeSetPasswordForm
    success_url = reverse_lazy("judging:invitation-done")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        if user.email_confirmed_at is None:
            # The judge proved the mailbox by opening the link.
            user.email_confirmed_at = timezone.now()
            user.save(update_fields=["email_confirmed_at"])
        consent_record(user=user)
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(**privacy.notice_context(), **kwargs)


class InvitationDoneView(TemplateView):
    template_name = "judging/invitation_done.html"

"""The page an invited judge opens from the invitation e-mail to set their password."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.generic import TemplateView


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """Django's password-reset confirmation with our own page and wording; an expired or
    used link shows a message instead of the form."""

    template_name = "judging/invitation_accept.html"
    success_url = reverse_lazy("judging:invitation-done")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        if user.email_confirmed_at is None:
            # The judge proved the mailbox by opening the link.
            user.email_confirmed_at = timezone.now()
            user.save(update_fields=["email_confirmed_at"])
        return response


class InvitationDoneView(TemplateView):
    template_name = "judging/invitation_done.html"

"""The expert's commentary workspace: the awards whose citation I was asked to write, and the
form to draft, save and submit one. Anonymous visitors are sent to log in (the invitation
e-mail links here); any other account gets 404 (no hint that the award exists)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView

from cases.services import DomainError

from ..forms.awards import CitationDraftForm
from ..models import CitationStatus
from ..selectors.commentary import citations_assigned_to, is_commentator
from ..services.commentary import EXPERT_EDITABLE, commentary_save


class CommentaryListView(LoginRequiredMixin, ListView):
    template_name = "judging/commentary_list.html"
    context_object_name = "awards"

    def get_queryset(self):
        if not is_commentator(self.request.user):
            raise Http404
        return citations_assigned_to(self.request.user)


class CommentaryUpdateView(LoginRequiredMixin, FormView):
    template_name = "judging/commentary_form.html"
    form_class = CitationDraftForm

    @cached_property
    def award(self):
        return get_object_or_404(citations_assigned_to(self.request.user), pk=self.kwargs["pk"])

    @property
    def editable(self):
        return self.award.citation_status in EXPERT_EDITABLE

    def get_initial(self):
        return {"citation": self.award.citation}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            award=self.award,
            editable=self.editable,
            approved=self.award.citation_status == CitationStatus.APPROVED,
            **kwargs,
        )

    def form_valid(self, form):
        submit = self.request.POST.get("action") == "submit"
        try:
            commentary_save(
                award=self.award,
                text=form.cleaned_data["citation"],
                by=self.request.user,
                submit=submit,
            )
        except DomainError as error:
            form.add_error("citation", str(error))
            return self.form_invalid(form)
        if submit:
            messages.success(self.request, _("点评已提交,等待组委会审定。"))
            return redirect("judging:commentary-list")
        messages.success(self.request, _("草稿已保存。"))
        return redirect("judging:commentary-update", pk=self.award.pk)

"""公示 pages: the provisional award list and its objection form (异议). Both exist only while
the edition's provisional list is public; objections must be signed and are refused after
the window closes."""

from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView

from cases.services import DomainError

from ..forms.objections import ObjectionForm
from ..selectors.publicity import publicity_awards, publicity_editions
from ..services.publicity import local_time_label, objection_submit, objection_window_error


class PublicityEditionMixin:
    @cached_property
    def edition(self):
        return get_object_or_404(
            publicity_editions(),
            programme__slug=self.kwargs["programme"],
            slug=self.kwargs["edition"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Replaces the URL's `edition` slug with the object.
        context["edition"] = self.edition
        context["starts_label"] = local_time_label(self.edition.publicity_starts_at)
        context["ends_label"] = local_time_label(self.edition.publicity_ends_at)
        return context


class PublicityListView(PublicityEditionMixin, TemplateView):
    """The provisional list (公示名单): titles and units by tier and category, no citations
    (they are published with the final results)."""

    template_name = "judging/objection_publicity.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        awards = list(publicity_awards(self.edition))
        tiers = {}
        for award in awards:
            tiers.setdefault(award.tier, []).append(award)
        context["tiers"] = list(tiers.items())
        context["closed_message"] = objection_window_error(self.edition)
        return context


class ObjectionCreateView(PublicityEditionMixin, FormView):
    template_name = "judging/objection_form.html"
    form_class = ObjectionForm

    @cached_property
    def closed_message(self):
        return objection_window_error(self.edition)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["awards"] = publicity_awards(self.edition)
        return kwargs

    def get_initial(self):
        award = self.request.GET.get("award", "")
        return {"award": award} if award.isdigit() else {}

    def get_context_data(self, **kwargs):
        return super().get_context_data(closed_message=self.closed_message, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            objection_submit(
                award=data["award"],
                name=data["name"],
                unit_name=data["unit_name"],
                phone=data["phone"],
                email=data["email"],
                reason=data["reason"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        return redirect(
            "judging:objection-received",
            programme=self.kwargs["programme"],
            edition=self.kwargs["edition"],
        )


class ObjectionReceivedView(PublicityEditionMixin, TemplateView):
    template_name = "judging/objection_received.html"

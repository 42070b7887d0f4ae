"""Public pages of the programme structure: home, programme, edition (call for cases)."""

from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, TemplateView

from .. import selectors
from ..models import Programme


class HomeView(TemplateView):
    template_name = "cases/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            programmes=selectors.programmes_with_editions(),
            open_editions=selectors.open_editions(),
            **kwargs,
        )


class ProgrammeDetailView(DetailView):
    template_name = "cases/programme_detail.html"
    context_object_name = "programme"

    def get_queryset(self):
        return selectors.programmes_with_editions()


class EditionDetailView(DetailView):
    template_name = "cases/edition_detail.html"
    context_object_name = "edition"

    def get_object(self, queryset=None):
        programme = get_object_or_404(Programme, slug=self.kwargs["programme"])
        return get_object_or_404(
            selectors.public_editions().prefetch_related("categories", "tiers"),
            programme=programme,
            slug=self.kwargs["slug"],
        )

    def get_context_data(self, **kwargs):
        # The results page belongs to the judging app; the edition page only needs to know
        # whether its results are public yet, which is a cases selector.
        results_visible = selectors.results_visible_editions().filter(pk=self.object.pk).exists()
        return super().get_context_data(
            results_visible=results_visible,
            publicity_open=selectors.is_publicity_open(self.object),
            **kwargs,
        )

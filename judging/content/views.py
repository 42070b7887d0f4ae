"""Public pages of the CMS (programme home, article lists and pages, downloads, search) and
the signed preview for those allowed to see an article before it is public."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from cases.models import EditionStatus
from cases.selectors import results_visible_editions

from ..cache import results_version
from ..views.public import PublicPageMixin
from . import selectors
from .forms import SearchForm
from .models import ArticleAttachment, ArticleImage, ArticleKind, ArticleVersion
from .search import search

PREVIEW_SALT = "judging.content.preview"
PREVIEW_MAX_AGE = 7 * 24 * 3600


def content_version(programme_id):
    return results_version(f"programme-{programme_id or 0}")


def preview_token(article):
    return signing.dumps({"article": article.pk}, salt=PREVIEW_SALT)


def preview_url(article):
    return reverse("content:article-preview", kwargs={"token": preview_token(article)})


class ProgrammePageMixin(PublicPageMixin):
    """A cached page of one programme's site. Its cache key carries the programme's content
    version (bumped on every save and step) and the latest publish time already reached, so
    a scheduled article shows up at its time, with no job and no stale cache."""

    def resolve(self):
        self.programme = selectors.programme_by_slug(self.kwargs["programme_slug"])
        if self.programme is None:
            raise Http404

    def get_versions(self):
        return {
            "content": content_version(self.programme.pk),
            "visible": selectors.visibility_marker(self.programme.pk),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            programme=self.programme, menu=selectors.menu_items(self.programme), **kwargs
        )


class ProgrammeHomeView(ProgrammePageMixin, TemplateView):
    template_name = "judging/content/programme_home.html"

    def get_context_data(self, **kwargs):
        now = timezone.now()
        open_edition = (
            self.programme.editions.filter(status=EditionStatus.OPEN).order_by("closes_at").first()
        )
        call_documents = []
        days_left = None
        if open_edition is not None:
            call_documents = list(
                ArticleAttachment.objects.filter(
                    article__in=selectors.public_articles(at=now).filter(edition=open_edition)
                ).select_related("article")
            )
            if open_edition.closes_at and open_edition.closes_at > now:
                days_left = (open_edition.closes_at - now).days
        results = list(
            results_visible_editions(now)
            .filter(programme=self.programme)
            .order_by("-year", "-number")[:5]
        )
        return super().get_context_data(
            notices=selectors.latest(self.programme, ArticleKind.NOTICE, at=now),
            news=selectors.latest(self.programme, ArticleKind.NEWS, at=now),
            results_articles=selectors.latest(self.programme, ArticleKind.RESULTS, at=now),
            open_edition=open_edition,
            call_documents=call_documents,
            days_left=days_left,
            results_editions=results,
            **kwargs,
        )


class ArticleListView(ProgrammePageMixin, TemplateView):
    template_name = "judging/content/article_list.html"
    query_parameters = ("page",)
    paginate_by = 20

    def resolve(self):
        super().resolve()
        if self.kwargs["kind"] not in ArticleKind.values or self.kwargs["kind"] == "page":
            raise Http404

    def get_context_data(self, **kwargs):
        kind = ArticleKind(self.kwargs["kind"])
        paginator = Paginator(
            selectors.programme_articles(self.programme, kind=kind), self.paginate_by
        )
        page = paginator.get_page(self.request.GET.get("page", "1")[:6])
        kwargs.update(kind=kind, page_obj=page, articles=page.object_list)
        return super().get_context_data(**kwargs)


class ArticleDetailView(ProgrammePageMixin, TemplateView):
    template_name = "judging/content/article_detail.html"

    def resolve(self):
        if self.kwargs.get("programme_slug") is None:
            self.programme = None
        else:
            super().resolve()
        found = selectors.public_article(
            programme_slug=self.kwargs.get("programme_slug"), slug=self.kwargs["slug"]
        )
        if found is None:
            raise Http404
        self.article_id = found.pk

    def get_versions(self):
        if self.programme is None:
            return {"content": content_version(None), "article": self.article_id}
        return super().get_versions()

    @cached_property
    def article(self):
        return selectors.article_detail_queryset().get(pk=self.article_id)

    def get_context_data(self, **kwargs):
        if self.programme is None:
            context = TemplateView.get_context_data(self, **kwargs)
            context["public_next_url"] = self.request.path
        else:
            context = super().get_context_data(**kwargs)
        context.update(article=self.article, site_url=self.request.build_absolute_uri("/")[:-1])
        return context


def can_preview(user):
    return user.is_authenticated and user.has_perm("judging.preview_article")


class ArticlePreviewView(LoginRequiredMixin, TemplateView):
    """An article as it will look, before publication, through a signed link; only for users
    with the preview permission (anyone else gets a 404, as if the link did not exist)."""

    template_name = "judging/content/article_detail.html"

    def get(self, request, *args, **kwargs):
        try:
            data = signing.loads(kwargs["token"], salt=PREVIEW_SALT, max_age=PREVIEW_MAX_AGE)
        except signing.BadSignature as error:
            raise Http404 from error
        if not can_preview(request.user):
            raise Http404
        self.article = get_object_or_404(selectors.article_detail_queryset(), pk=data["article"])
        response = super().get(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            article=self.article, programme=self.article.programme, preview=True, **kwargs
        )


class ArticleVersionView(LoginRequiredMixin, TemplateView):
    """One published version of an article, for those who may preview."""

    template_name = "judging/content/article_version.html"

    def get(self, request, *args, **kwargs):
        if not can_preview(request.user):
            raise Http404
        self.version = get_object_or_404(
            ArticleVersion.objects.select_related("article__programme", "published_by"),
            article_id=kwargs["pk"],
            number=kwargs["number"],
        )
        response = super().get(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(version=self.version, **kwargs)


class AttachmentDownloadView(View):
    """An article's document: for everybody once the article is public, before that only for
    those who may preview it."""

    def get(self, request, pk):
        attachment = get_object_or_404(ArticleAttachment.objects.select_related("article"), pk=pk)
        public = selectors.public_articles().filter(pk=attachment.article_id).exists()
        if not public and not can_preview(request.user):
            raise Http404
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name or attachment.file.name.rsplit("/", 1)[-1],
            content_type=attachment.content_type or "application/octet-stream",
        )
        if public:
            patch_cache_control(response, public=True, max_age=300)
        else:
            add_never_cache_headers(response)
        return response


class ImageView(View):
    """An article image (re-encoded on upload, so it is only ever a plain JPEG or PNG)."""

    def get(self, request, pk):
        image = get_object_or_404(ArticleImage, pk=pk)
        content_type = "image/png" if image.file.name.endswith(".png") else "image/jpeg"
        response = FileResponse(image.file.open("rb"), content_type=content_type)
        patch_cache_control(response, public=True, max_age=24 * 3600)
        return response


class SearchView(TemplateView):
    """One search across published articles, public cases and approved citations."""

    template_name = "judging/content/search.html"

    def get_context_data(self, **kwargs):
        form = SearchForm(self.request.GET or None)
        terms, results = [], []
        if form.is_valid() and form.cleaned_data["q"]:
            terms, results = search(form.cleaned_data["q"])
        return super().get_context_data(form=form, terms=terms, results=results, **kwargs)

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["form"].errors:
            response.status_code = 400
        return response

"""Reads of the CMS. Public means: status scheduled or published, and the publish time
reached — so a scheduled article becomes public at its time without a job."""

from django.db.models import Max, Prefetch, Q
from django.utils import timezone

from cases.models import Programme

from .models import PUBLIC_STATUSES, Article, ArticleKind, MenuItem

LIST_FIELDS = (
    "programme",
    "cover_image",
)


def public_articles(*, at=None):
    return Article.objects.filter(
        status__in=PUBLIC_STATUSES, publish_at__lte=at or timezone.now()
    ).select_related(*LIST_FIELDS)


def programme_articles(programme, *, kind=None, at=None):
    articles = public_articles(at=at).filter(programme=programme)
    if kind:
        articles = articles.filter(kind=kind)
    return articles.order_by("-publish_at", "-pk")


def latest(programme, kind, *, count=5, at=None):
    return list(programme_articles(programme, kind=kind, at=at)[:count])


def public_article(*, programme_slug, slug, at=None):
    articles = public_articles(at=at).select_related("edition__programme")
    if programme_slug is None:
        return articles.filter(programme__isnull=True, slug=slug).first()
    return articles.filter(programme__slug=programme_slug, slug=slug).first()


def article_detail_queryset():
    return Article.objects.select_related(
        "programme", "cover_image", "edition__programme"
    ).prefetch_related("attachments", "units", Prefetch("cases", queryset=_cases()))


def _cases():
    from cases.models import Case

    return Case.objects.select_related("edition__programme").order_by("pk")


def menu_items(programme):
    return list(
        MenuItem.objects.filter(programme=programme)
        .filter(
            Q(article__isnull=True)
            | Q(article__status__in=PUBLIC_STATUSES, article__publish_at__lte=timezone.now())
        )
        .select_related("article__programme")
        .order_by("order", "pk")
    )


def visibility_marker(programme_id, *, at=None):
    """What changes when a scheduled article of the programme comes due: the latest publish
    time reached (a string), part of the page cache key."""
    latest_time = Article.objects.filter(
        programme_id=programme_id,
        status__in=PUBLIC_STATUSES,
        publish_at__lte=at or timezone.now(),
    ).aggregate(latest=Max("publish_at"))["latest"]
    return latest_time.isoformat() if latest_time else ""


def programme_by_slug(slug):
    return Programme.objects.filter(slug=slug).first()


PROGRAMME_HOME_KINDS = (ArticleKind.NOTICE, ArticleKind.NEWS, ArticleKind.RESULTS)

"""Keeps `SearchDocument` in step with what is public: an article when it is scheduled or
published (visible from its publish time), the awarded cases and approved citations of an
edition when its results are published (visible from the results time)."""

from django.db import transaction
from django.utils.html import strip_tags

from cases.models import Edition, EditionStatus

from .models import Article, SearchDocument, SearchKind
from .segment import segment_text


def _document(*, kind, object_id, programme_id, title, url, text, visible_from):
    return SearchDocument(
        kind=kind,
        object_id=object_id,
        programme_id=programme_id,
        title=title[:300],
        url=url[:300],
        text=text,
        # The title counts twice: a word in the title ranks a text above one that has the
        # word once in its body.
        terms=f"{segment_text(title)} {segment_text(title)} {segment_text(text)}",
        visible_from=visible_from,
    )


def _replace(kind, object_ids, documents):
    SearchDocument.objects.filter(kind=kind, object_id__in=object_ids).delete()
    SearchDocument.objects.bulk_create(documents, batch_size=500)


def index_article(article):
    """Index `article` if it is (or will be, at its time) public, else drop it."""
    with transaction.atomic():
        SearchDocument.objects.filter(kind=SearchKind.ARTICLE, object_id=article.pk).delete()
        if article.status not in ("scheduled", "published") or article.publish_at is None:
            return
        text = " ".join(filter(None, [article.summary, strip_tags(article.body)]))
        _document(
            kind=SearchKind.ARTICLE,
            object_id=article.pk,
            programme_id=article.programme_id,
            title=article.title,
            url=article.get_absolute_url(),
            text=text,
            visible_from=article.publish_at,
        ).save()


def index_edition(edition):
    """(Re-)index the awarded cases and approved citations of a published edition."""
    from judging.models import Award, CitationStatus

    awards = list(
        Award.objects.filter(edition=edition)
        .select_related("case", "edition__programme", "commentator")
        .order_by("pk")
    )
    case_ids = [award.case_id for award in awards]
    award_ids = [award.pk for award in awards]
    with transaction.atomic():
        SearchDocument.objects.filter(kind=SearchKind.CASE, object_id__in=case_ids).delete()
        SearchDocument.objects.filter(kind=SearchKind.CITATION, object_id__in=award_ids).delete()
        if edition.results_published_at is None or edition.status not in (
            EditionStatus.PUBLISHED,
            EditionStatus.ARCHIVED,
        ):
            return
        documents = []
        for award in awards:
            case = award.case
            url = case_url(edition, case)
            documents.append(
                _document(
                    kind=SearchKind.CASE,
                    object_id=case.pk,
                    programme_id=edition.programme_id,
                    title=case.title,
                    url=url,
                    text=" ".join(filter(None, [case.summary, case.practice, case.outcomes])),
                    visible_from=edition.results_published_at,
                )
            )
            if award.citation_status == CitationStatus.APPROVED and award.citation:
                signed = award.commentator.name if award.commentator_id else ""
                documents.append(
                    _document(
                        kind=SearchKind.CITATION,
                        object_id=award.pk,
                        programme_id=edition.programme_id,
                        title=f"{case.title} · 点评 {signed}".strip(),
                        url=url,
                        text=award.citation,
                        visible_from=edition.results_published_at,
                    )
                )
        SearchDocument.objects.bulk_create(documents, batch_size=500)


def case_url(edition, case):
    from django.urls import reverse

    return reverse(
        "results:case-detail",
        kwargs={
            "programme_slug": edition.programme.slug,
            "edition_slug": edition.slug,
            "pk": case.pk,
        },
    )


def rebuild_search_index():
    """Everything again, from the data (the `rebuild_search_index` command)."""
    SearchDocument.objects.all().delete()
    for article in Article.objects.select_related("programme"):
        index_article(article)
    for edition in Edition.objects.filter(results_published_at__isnull=False).select_related(
        "programme"
    ):
        index_edition(edition)
    return SearchDocument.objects.count()

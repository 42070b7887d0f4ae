"""sitemap.xml: public articles, editions, published editions' results and their public cases."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from cases.selectors import public_editions, results_visible_editions

from . import selectors
from .indexing import case_url


class ArticleSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return selectors.public_articles().order_by("pk")

    def lastmod(self, article):
        return article.updated_at


class EditionSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return public_editions().order_by("pk")

    def lastmod(self, edition):
        return edition.updated_at


class PublicCaseSitemap(Sitemap):
    changefreq = "yearly"

    def items(self):
        from judging.models import Award

        return (
            Award.objects.filter(edition__in=results_visible_editions())
            .select_related("case", "edition__programme")
            .order_by("pk")
        )

    def location(self, award):
        return case_url(award.edition, award.case)


class ResultsSitemap(Sitemap):
    def items(self):
        return results_visible_editions().order_by("pk")

    def location(self, edition):
        return reverse(
            "results:edition-results",
            kwargs={"programme_slug": edition.programme.slug, "edition_slug": edition.slug},
        )


SITEMAPS = {
    "articles": ArticleSitemap,
    "editions": EditionSitemap,
    "results": ResultsSitemap,
    "cases": PublicCaseSitemap,
}

"""RSS 2.0 and Atom feeds of a programme's public articles (django.contrib.syndication)."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from . import selectors


class ProgrammeFeed(Feed):
    def get_object(self, request, programme_slug):
        programme = selectors.programme_by_slug(programme_slug)
        if programme is None:
            raise Http404
        return programme

    def title(self, programme):
        return programme.name

    def link(self, programme):
        return reverse("content:programme-home", kwargs={"programme_slug": programme.slug})

    def description(self, programme):
        return programme.description or programme.name

    def items(self, programme):
        return selectors.programme_articles(programme)[:30]

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return article.summary

    def item_pubdate(self, article):
        return article.publish_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_categories(self, article):
        return [article.get_kind_display()]


class ProgrammeAtomFeed(ProgrammeFeed):
    feed_type = Atom1Feed
    subtitle = ProgrammeFeed.description

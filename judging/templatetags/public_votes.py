"""`{% open_public_votes %}`: the open public votes, for the home page (the home page is a
cases view and cases never imports judging; the template asks instead)."""

from django import template

from ..voting.selectors import open_public_vote_rounds

register = template.Library()


@register.inclusion_tag("judging/voting/_open_rounds.html")
def open_public_votes():
    return {"rounds": list(open_public_vote_rounds())}

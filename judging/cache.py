"""Version counters for the cached public results pages.

Every cached public page keys its entry on the results version of the editions it shows, so
publishing or changing results only has to bump the version: the old entries are never read
again and expire on their own. Writers (publication, award and citation changes) call
`bump_results_version(edition)`; the public views read `results_version(edition)`.
"""

import time

from django.core.cache import cache


def results_version_key(edition_id):
    return f"results-version:{edition_id}"


def results_version(edition):
    """The current results version of `edition` (an opaque integer)."""
    return results_versions([edition.pk])[edition.pk]


def results_versions(edition_ids):
    """`{edition_id: version}` for several editions in one cache round trip.

    A missing counter (never bumped, or evicted) starts at the current time in nanoseconds
    rather than at 1, so an evicted counter can never fall back onto a value that pages were
    cached under before.
    """
    keys = {results_version_key(pk): pk for pk in edition_ids}
    found = cache.get_many(list(keys))
    for key in set(keys) - set(found):
        cache.add(key, time.time_ns(), timeout=None)
        found[key] = cache.get(key)
    return {keys[key]: value for key, value in found.items()}


def bump_results_version(edition):
    """Invalidate every cached public page that shows `edition`'s results."""
    key = results_version_key(edition.pk)
    try:
        return cache.incr(key)
    except ValueError:  # no counter yet: any fresh value differs from the pages' old keys
        cache.add(key, time.time_ns(), timeout=None)
        return cache.get(key)

"""Per-edition results cache version, and the cached answer to "may the public see this
edition's results?".

Public result pages key their cache entries on `results_version(edition)`; every change to an
edition's results (publication, amendment, award or citation change) calls
`bump_results_version(edition)`, so old entries are simply never read again.

`visible_edition` keeps the embargo check's "yes" in the cache with the edition's results
version, so that a page served from the cache asks nothing of the database and reads one small
cache entry; every save or deletion of an edition or a programme and every bump forgets it
(`forget_edition_visibility`, connected in `judging.apps`).
"""

import logging
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from cases import selectors as cases_selectors

logger = logging.getLogger("judging.cache")


def results_version_key(edition_or_id):
    edition_id = getattr(edition_or_id, "pk", edition_or_id)
    return f"results-version:{edition_id}"


def _fresh_value():
    # A missing key (first use, eviction, cache restart) must never bring back a number that
    # pages were cached under before: start from the clock, which only moves forward.
    return time.time_ns()


def results_version(edition_or_id):
    """The current version number of an edition's results (an int)."""
    key = results_version_key(edition_or_id)
    version = cache.get(key)
    if version is None:
        cache.add(key, _fresh_value(), timeout=None)
        version = cache.get(key)
    return version if version is not None else _fresh_value()


def bump_results_version(edition_or_id):
    """Invalidate every cached page of this edition's results; returns the new version."""
    key = results_version_key(edition_or_id)
    try:
        version = cache.incr(key)
    except ValueError:
        version = _fresh_value()
        if cache.set(key, version, timeout=None) is False:
            version = None
    if version is None:
        # The cache is unreachable (its backend ignores the error). Pages render afresh while
        # it is; when it is back, pages cached before the outage may be served until they
        # expire (PUBLIC_PAGE_CACHE_SECONDS) — README, "Security: rate limits, outage".
        logger.error("results version of edition %s not bumped: cache unreachable", key)
    # After the new version is in place: a page request that remembers the old one either
    # wrote it before this (forgotten here) or sees the new version when it checks.
    forget_edition_visibility([getattr(edition_or_id, "pk", edition_or_id)])
    return version


def results_versions(edition_ids):
    """`{edition_id: version}` for several editions in one cache round trip (pages across
    editions: the archive, history tables)."""
    keys = {results_version_key(pk): pk for pk in edition_ids}
    # A copy: django-redis answers an unreachable Redis with one shared empty dict, which
    # must not collect this call's keys for the next one.
    found = dict(cache.get_many(list(keys)))
    for key in keys.keys() - found.keys():
        cache.add(key, _fresh_value(), timeout=None)
        found[key] = cache.get(key)
        if found[key] is None:
            found[key] = _fresh_value()
    return {keys[key]: value for key, value in found.items()}


def visibility_seconds():
    return getattr(settings, "PUBLIC_VISIBILITY_CACHE_SECONDS", 30)


def _visibility_key(programme_slug, edition_slug):
    return f"results-visible:{programme_slug}/{edition_slug}"


def _visibility_index_key(edition_id):
    return f"results-visible-at:{edition_id}"


def visible_edition(*, programme_slug, edition_slug):
    """`(edition id, results version)` if `cases.selectors.results_visible_edition_id` finds
    the edition now, else None; a "yes" is remembered in the cache, with the version, so that
    a page served from the cache costs one cache read and no query.

    Only a visible edition is remembered (a "no" may turn into a "yes" when the embargo time
    passes, so it is asked of the database every time). The answer is forgotten whenever the
    edition or its programme is saved or deleted — a status, embargo time or slug change —
    and when its results version is bumped; and in any case after
    `PUBLIC_VISIBILITY_CACHE_SECONDS` (30), which bounds how long a change made around the
    ORM's `save()` (a queryset `update()`, SQL by hand) goes unseen: less than the `max-age`
    (`PUBLIC_PAGE_MAX_AGE`) browsers and proxies keep the page anyway.
    """
    key = _visibility_key(programme_slug, edition_slug)
    found = cache.get(key)
    if found is not None:
        return found
    edition_id = cases_selectors.results_visible_edition_id(
        programme_slug=programme_slug, edition_slug=edition_slug
    )
    if edition_id is None:
        return None
    version = results_version(edition_id)
    cache.set_many(
        {key: (edition_id, version), _visibility_index_key(edition_id): key},
        visibility_seconds(),
    )
    if results_version(edition_id) != version:
        # Bumped meanwhile: the bump may have forgotten the answer before it was written.
        cache.delete(key)
    return edition_id, version


def forget_edition_visibility(edition_ids):
    """Drop the remembered visibility of these editions, now and again when the transaction
    commits (a request that read the old row before the commit may have remembered it)."""
    index_keys = [_visibility_index_key(pk) for pk in edition_ids]
    if not index_keys:
        return

    def forget():
        keys = list(cache.get_many(index_keys).values())
        cache.delete_many(keys + index_keys)

    forget()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(forget)


def edition_changed(sender, instance, **kwargs):
    forget_edition_visibility([instance.pk])


def programme_changed(sender, instance, **kwargs):
    from cases.models import Edition

    forget_edition_visibility(
        list(Edition.objects.filter(programme=instance).values_list("pk", flat=True))
    )


class RecentPages:
    """The last `size` rendered public pages this process served, by their cache key.

    A page's key names its results versions, so the HTML under one key never changes: keeping
    a copy here is the same as reading it from the shared cache again, without fetching and
    unpickling 100 kB from Redis on every request. A copy is dropped when the shared entry
    would have expired (`expires`, a `time.time()`), so it is never staler than that entry.
    """

    def __init__(self, size=32):
        self.size = size
        self._pages = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._pages.get(key)
            if entry is None:
                return None
            if entry["expires"] <= time.time():
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return entry

    def put(self, key, entry):
        with self._lock:
            self._pages[key] = entry
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def clear(self):
        with self._lock:
            self._pages.clear()


recent_pages = RecentPages()

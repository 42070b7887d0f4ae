"""Per-edition results cache version.

Public result pages key their cache entries on `results_version(edition)`; every change to an
edition's results (publication, amendment, award or citation change) calls
`bump_results_version(edition)`, so old entries are simply never read again.
"""

import logging
import time

from django.core.cache import cache

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

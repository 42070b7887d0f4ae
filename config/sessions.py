"""Sessions in the database with the cache in front (Django's cached_db), for production.

Every write goes to the database first, so a Redis outage logs nobody out: reads then miss
the cache (django-redis ignores the connection error) and come from the database. One change
to Django's engine: a session stays in the cache at most `SESSION_CACHE_SECONDS`, not for its
whole lifetime. A logout (or a disabled account) while Redis is unreachable deletes the
database row but cannot delete the cached copy; when Redis comes back, that stale copy could
otherwise be read again for up to the session's 12 hours.
"""

from django.conf import settings
from django.contrib.sessions.backends import cached_db


class SessionStore(cached_db.SessionStore):
    def _cache_seconds(self, expiry_age):
        return max(0, min(expiry_age, settings.SESSION_CACHE_SECONDS))

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # as Django's engine: a key the cache refuses resets the session
            data = None
        if data is None:
            stored = self._get_session_from_db()
            if not stored:
                return {}
            data = self.decode(stored.session_data)
            self._cache.set(
                self.cache_key,
                data,
                self._cache_seconds(self.get_expiry_age(expiry=stored.expire_date)),
            )
        return data

    def save(self, must_create=False):
        super(cached_db.SessionStore, self).save(must_create)
        try:
            self._cache.set(
                self.cache_key, self._session, self._cache_seconds(self.get_expiry_age())
            )
        except Exception:
            cached_db.logger.exception("Error saving to cache (%s)", self._cache)

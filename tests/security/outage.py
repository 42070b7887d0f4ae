"""The production cache settings (config/settings.py with CACHE_URL set) pointed at a real
Redis or at a port where nothing listens."""

from config.settings import redis_cache

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused


def production_cache_settings(settings, location, prefix="sec-resilience"):
    settings.CACHES = {
        "default": redis_cache(location, prefix=prefix),
        "sessions": redis_cache(location, prefix=f"{prefix}-sessions"),
    }
    settings.SESSION_ENGINE = "config.sessions"
    settings.SESSION_CACHE_ALIAS = "sessions"
    return settings


def dead_cache_settings(settings):
    return production_cache_settings(settings, DEAD_REDIS)

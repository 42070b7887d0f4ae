import os
import uuid

import pytest

from tests.security.outage import production_cache_settings

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def real_redis(settings):
    """The production cache settings against the real Redis of TEST_REDIS_URL, under a key
    prefix of this test alone; skips without Redis unless REQUIRE_REDIS=1 (CI)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        message = f"Redis is not reachable at {REDIS_URL} (CI sets REQUIRE_REDIS=1)."
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    prefix = f"sec-resilience-{uuid.uuid4().hex[:12]}"
    production_cache_settings(settings, REDIS_URL, prefix=prefix)
    client.prefix = prefix
    yield client
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)

import pytest
from django.core.cache import cache

from judging.voting.sms import ConsoleSmsProvider


@pytest.fixture(autouse=True)
def _fresh_counters():
    # Rate-limit counters and CAPTCHA-free state must not leak from one test to the next.
    cache.clear()
    ConsoleSmsProvider.outbox.clear()
    yield
    cache.clear()

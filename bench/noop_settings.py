"""The production settings with one more URL, `/bench/noop/`: a do-nothing Django view behind
the same middleware, the ceiling a cached page is compared with (bench/measure.py)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.noop_urls"

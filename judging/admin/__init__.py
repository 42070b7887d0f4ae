"""The judging back office, one module per area."""

from . import results  # noqa: F401  (registers the RoundEntry admin and the result pages)

"""The judging back office, one module per area."""

from . import archive  # noqa: F401

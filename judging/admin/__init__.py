"""The judging back office, one module per area."""

from . import archive  # noqa: F401
from .results import RoundEntryAdmin  # noqa: F401  (registers the result pages)

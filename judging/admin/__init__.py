"""The judging back office, one module per area."""

from . import awards  # noqa: F401  (awards, objections, committee commentary, workflow)

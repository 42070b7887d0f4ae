"""The judging back office, one module per area."""

from . import control, screening, setup  # noqa: F401  (registers the ModelAdmins)

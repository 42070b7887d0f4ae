"""The judging back office, one module per area."""

from . import (
    archive,  # noqa: F401
    awards,  # noqa: F401  (awards, objections, committee commentary, workflow)
)

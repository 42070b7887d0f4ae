"""The judging back office, one module per area."""

from . import (  # noqa: F401  (registers the ModelAdmins)
    archive,
    control,
    screening,
    setup,
)

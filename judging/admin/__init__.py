"""The judging back office, one module per area."""

from ..content import admin as content_admin  # noqa: F401  (articles, images, menus)
from ..heat import admin as heat_admin  # noqa: F401  (the heat rankings' back office)
from ..voting import admin as voting_admin  # noqa: F401  (网络投票)
from . import (  # noqa: F401  (registers the ModelAdmins)
    archive,
    awards,  # awards, objections, committee commentary, the decision workflow
    control,
    results,  # tabulation, ranking, calibration, exports, advancement
    screening,
    setup,
)

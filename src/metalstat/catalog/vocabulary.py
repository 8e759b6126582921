"""The words every part of metalstat uses for a published figure.

A figure is keyed by (product, kind, measure, breakdown, statistic, period). These names are
the contract between the engine, the figure store, the report, the demo targets and the API;
change them only with a migration of stored figures.
"""

from __future__ import annotations

from typing import Final

# What a figure is about.
KINDS: Final = ("actual", "forecast")

MEASURES: Final = (
    "production",  # output in the product's unit (breakdown content=metal/physical for both)
    "operating_rate",  # % ; output basis or capacity basis as the product defines
    "capacity",  # existing (nameplate) capacity in force at month end, unit/year
    "operating_capacity",  # capacity running at month end, unit/year (capacity basis)
    "share",  # % of the total taken by one breakdown value
    "producer_count",  # sample producers, by status breakdown
    "producer_share",  # % of sample producers, e.g. breakdown change=reduced
    "coverage",  # % of frame capacity covered by the panel
    "response_rate",  # % of panel producers that returned
    "imputed_share",  # % of the estimate that comes from imputed values
    "forecast_error",  # last month's forecast against this month's actual
    "province_count",  # provinces the sample producers are in
    "auxiliary",  # a market series the report quotes (breakdown series=<code>), not estimated
)

# How a figure is derived from a level series.
STATISTICS: Final = (
    "level",
    "daily_avg",  # level / days in month
    "mom_abs",
    "mom_pct",
    "yoy_abs",
    "yoy_pct",
    "ytd_level",  # period is a span "YYYY-01..YYYY-MM"
    "ytd_abs",
    "ytd_pct",
    "pp_mom",  # change in percentage points, for rates and shares
    "pp_yoy",
    "count",
    "count_change",
    "lfl_mom_pct",  # like-for-like: the same change over producers present in both months
    "lfl_yoy_pct",
    "lfl_pp_mom",
    "panel_effect_pct",  # part of mom_pct explained by panel/frame change (mom_pct - lfl_mom_pct)
    "panel_effect_pp",  # part of pp_mom explained by panel/frame change
    "pct",  # forecast_error: (forecast - actual) / actual x 100
    "abs",  # forecast_error: forecast - actual
    "mape",  # forecast_error: rolling mean absolute % error over the last 12 months
)

# SDMX OBS_STATUS codes used on published figures.
OBS_STATUS: Final = {
    "A": "normal",
    "B": "break in series (panel or frame changed)",
    "E": "estimated (coverage below 100% or values imputed)",
    "F": "forecast",
    "I": "imputed share above the product's threshold",
    "P": "provisional (latest month, may be revised)",
    "U": "withheld: coverage or response below the product's minimum",
}
# When several apply, the figure's single status is the first of this order; all of them are
# kept in the figure's flags.
OBS_STATUS_PRECEDENCE: Final = ("F", "U", "B", "I", "P", "E", "A")

# SDMX CONF_STATUS codes.
CONF_STATUS: Final = {
    "F": "free",
    "C": "confidential: fewer than 3 producers or one producer above 85% (primary)",
    "D": "confidential: suppressed so a primary cell cannot be recovered (secondary)",
}

RETURN_STATUSES: Final = ("normal", "increased", "cut", "maintenance", "halted", "commissioning")
RETURN_SOURCES: Final = ("phone", "field", "spreadsheet", "api")
EVENT_REASONS: Final = (
    "maintenance",
    "environmental_inspection",
    "raw_material_shortage",
    "losses",
    "power",
    "policy",
    "accident",
)
CAPACITY_EVENTS: Final = ("commissioning", "expansion", "replacement", "reduction", "closure")
ENTERPRISE_NATURES: Final = ("state_owned", "private", "foreign", "joint_venture")
REGIONS_CHINA: Final = (
    "east China",
    "north China",
    "north-east China",
    "north-west China",
    "central China",
    "south China",
    "south-west China",
)


def period_span(start: str, end: str) -> str:
    """The period label of a cumulative span, e.g. ``2025-01..2025-06``."""
    return f"{start}..{end}"

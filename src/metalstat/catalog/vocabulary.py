"""The words every part of metalstat uses for a published figure.

A figure is keyed by (product, kind, measure, breakdown, statistic, period). These names are
the contract between the engine, the figure store, the report, the demo targets and the API;
change them only with a migration of stored figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

# What a figure is about: the month's estimate, the forecast of the next month (t+1), the
# forecast of the month after next (t+2, from the schedules given that far ahead).
KINDS: Final = ("actual", "forecast", "forecast2")
FORECAST_KINDS: Final = ("forecast", "forecast2")

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
    "daily_mom_pct",  # % change of the daily average on the month (months of different length)
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
    "capacity_replacement",  # old capacity shut for new capacity elsewhere
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


# ---------------------------------------------------------------------------------------------
# The fields of a survey return: the one declaration the engine's input frame, the stored
# model's comparisons, the actions, the import columns and the template derive from.


@dataclass(frozen=True)
class ReturnField:
    """One value a producer gives in its monthly return."""

    name: str
    type: Literal["quantity", "status", "text", "breakdown"]
    # A quantity's unit: "unit" (the product's, for the month) or "unit/year" (a capacity).
    unit: str = ""
    content: Literal["physical", "metal", ""] = ""  # which content basis a quantity is in
    help: str = ""
    aliases: tuple[str, ...] = ()  # other headers a spreadsheet may use, e.g. Chinese
    # Asked only of products that report metal content, or whose operating rate is on a
    # capacity basis; empty: asked of every product.
    only_for: Literal["", "metal_content", "capacity_rate"] = ""

    @property
    def is_quantity(self) -> bool:
        return self.type == "quantity"


RETURN_FIELDS: Final = (
    ReturnField("output", "quantity", "unit", "physical",
                "actual output in the month, product unit (physical)", ("产量", "实际产量")),
    ReturnField("output_metal", "quantity", "unit", "metal", "actual output, metal content",
                ("金属量", "产量金属量"), "metal_content"),
    ReturnField("schedule", "quantity", "unit", "physical",
                "output scheduled for the next month (physical)", ("排产", "下月排产", "计划产量")),
    ReturnField("schedule_metal", "quantity", "unit", "metal",
                "next month's schedule, metal content", ("排产金属量",), "metal_content"),
    ReturnField("operating_capacity", "quantity", "unit/year", "",
                "capacity running at month end, unit/year", ("运行产能",), "capacity_rate"),
    ReturnField("schedule_operating_capacity", "quantity", "unit/year", "",
                "capacity planned to run at next month end, unit/year", ("计划运行产能",),
                "capacity_rate"),
    ReturnField("status", "status", help="normal when empty", aliases=("状态", "生产状态")),
    ReturnField("breakdown", "breakdown",
                help="quantities by breakdown dimension and value (columns dimension=value)"),
    ReturnField("schedule_breakdown", "breakdown",
                help="next month's scheduled quantities by breakdown dimension and value "
                     "(columns schedule:dimension=value)"),
    ReturnField("reason", "text", help="why output changed, free text", aliases=("原因", "说明")),
    # Last, so the columns of templates written before it keep their letters.
    ReturnField("schedule_after_next", "quantity", "unit", "physical",
                "output scheduled for the month after next (physical), where the producer plans "
                "that far", ("下下月排产", "后月排产")),
)  # fmt: skip
RETURN_QUANTITIES: Final = tuple(f.name for f in RETURN_FIELDS if f.is_quantity)
METAL_QUANTITIES: Final = tuple(f.name for f in RETURN_FIELDS if f.content == "metal")
# The breakdown fields: the actual month's parts, and the next month's planned parts.
RETURN_BREAKDOWNS: Final = tuple(f.name for f in RETURN_FIELDS if f.type == "breakdown")
# A planned part's spreadsheet column: this prefix, then dimension=value ("排产:" in Chinese).
PLANNED_PREFIX: Final = "schedule:"
PLANNED_PREFIX_ZH: Final = "排产:"
# Each breakdown field and the prefix of its columns' dimension.
BREAKDOWN_PREFIXES: Final = {"breakdown": "", "schedule_breakdown": PLANNED_PREFIX}
# The values a return's revisions are compared by (a changed one makes a new revision).
RETURN_VALUES: Final = tuple(f.name for f in RETURN_FIELDS)

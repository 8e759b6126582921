"""The drafted document: plain data that the HTML, Markdown and JSON renderers lay out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from metalstat.report.language import Language

# The paragraphs of a product section, in reading order. Analyst commentary names one of
# these (or "end" for text after everything drafted); the overview has its own slot.
SLOTS = (
    "production",
    "operating_rate",
    "structure",
    "capacity",
    "drivers",
    "market",
    "forecast",
    "end",
)
OVERVIEW_SLOT = "overview"


@dataclass(frozen=True)
class Paragraph:
    slot: str
    text: str
    source: str = "drafted"  # drafted | analyst
    author: str = ""


@dataclass(frozen=True)
class Cell:
    text: str
    status: str = ""  # an OBS_STATUS / CONF_STATUS letter to show beside the value
    numeric: bool = True


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    anchors: tuple[str, ...] = ()  # per row, a section anchor to link to (overview)
    groups: tuple[tuple[int, str], ...] = ()  # (first row, heading) of each group of rows


@dataclass
class Section:
    code: str
    name: str
    anchor: str
    paragraphs: list[Paragraph]
    table: Table | None
    chart_svg: str
    notes: list[str]
    # what the paragraphs were drafted from, for the consistency check (report.consistency)
    facts: dict[str, Any] = field(default_factory=dict, repr=False)
    # the exhaustive enumerations (every breakdown, count and market series, the full
    # outlook), printed in the data annex at the end of the report, by slot
    annex: list[Paragraph] = field(default_factory=list)
    chain: str = ""  # the value chain's name in the report's language


@dataclass
class Report:
    language: Language
    period: str
    vintage: int | None
    release_at: datetime | None
    status: str
    title: str
    subtitle: str
    intro: list[Paragraph]
    closing: list[Paragraph]
    overview: Table
    takeaways: list[str]
    sections: list[Section]
    accuracy: Table
    methodology: Table
    methodology_text: list[str]
    legend: list[tuple[str, str]]
    statuses_used: set[str] = field(default_factory=set)

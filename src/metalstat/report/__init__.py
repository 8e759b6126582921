"""The monthly report: drafted from one vintage of figures, in every language, as HTML, PDF,
Markdown and JSON.

Pure core (no Django): build a ``ReportInput`` and call ``draft_report`` / ``build_documents``
/ ``write_documents``. ``metalstat.report.loader`` fills the input from the database and
offers ``write_report(period, ...)`` for the command line and the demo.
"""

from __future__ import annotations

from metalstat.report.drafting import SLOTS, Report, draft_report
from metalstat.report.inputs import (
    AuxiliaryObservation,
    AuxiliaryOutlook,
    AuxiliarySeries,
    CapacityChange,
    CommentaryEntry,
    MaintenanceItem,
    ReportInput,
)
from metalstat.report.language import available_languages
from metalstat.report.output import build_documents, report_filename, write_documents
from metalstat.report.render import FORMATS, render_html, render_markdown, render_pdf

__all__ = [
    "FORMATS",
    "SLOTS",
    "AuxiliaryObservation",
    "AuxiliaryOutlook",
    "AuxiliarySeries",
    "CapacityChange",
    "CommentaryEntry",
    "MaintenanceItem",
    "Report",
    "ReportInput",
    "available_languages",
    "build_documents",
    "draft_report",
    "render_html",
    "render_markdown",
    "render_pdf",
    "report_filename",
    "write_documents",
]

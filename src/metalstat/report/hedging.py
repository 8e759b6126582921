"""The hedge word for a change, from the catalog's documented thresholds.

The report and the demo's targets share one definition of "slightly", "flat",
"significantly" ..., so a drafted word never contradicts the number beside it.
"""

from __future__ import annotations

try:
    from metalstat.catalog.hedges import describe_change
except ImportError:  # the catalog's hedge table is not installed yet: same signature, same keys

    def describe_change(pct: float) -> str:
        size = abs(pct)
        if size < 0.5:
            return "flat"
        if size <= 2:
            return "slightly"
        if size >= 10:
            return "sharply"
        if size >= 5:
            return "significantly"
        return "exact"


__all__ = ["describe_change"]

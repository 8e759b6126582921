"""The hedge word for a change, from the catalog's documented thresholds.

The report and the demo's targets share one definition of "slightly", "flat",
"significantly" ... (``metalstat.catalog.hedges``), so a drafted word never contradicts the
number beside it.
"""

from __future__ import annotations

from metalstat.catalog.hedges import admits, describe_change, direction_of

__all__ = ["admits", "describe_change", "direction_of"]

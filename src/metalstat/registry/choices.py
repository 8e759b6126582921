"""Choice lists of the registry, built from the shared vocabulary so every part uses one set."""

from __future__ import annotations

from metalstat.catalog.vocabulary import CAPACITY_EVENTS, ENTERPRISE_NATURES, REGIONS_CHINA
from metalstat.core.choices import text_choices


def _label(code: str) -> str:
    return code.replace("_", " ").capitalize()


EnterpriseNature = text_choices(
    __name__,
    "EnterpriseNature",
    [(code.upper(), (code, _label(code))) for code in ENTERPRISE_NATURES],
)
Region = text_choices(
    __name__,
    "Region",
    [(code.upper().replace(" ", "_").replace("-", "_"), (code, code)) for code in REGIONS_CHINA],
)
CapacityEvent = text_choices(
    __name__, "CapacityEvent", [(code.upper(), (code, _label(code))) for code in CAPACITY_EVENTS]
)

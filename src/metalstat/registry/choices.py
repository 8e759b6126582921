"""Choice lists of the registry, built from the shared vocabulary so every part uses one set."""

from __future__ import annotations

from django.db import models

from metalstat.catalog.vocabulary import CAPACITY_EVENTS, ENTERPRISE_NATURES, REGIONS_CHINA


def _label(code: str) -> str:
    return code.replace("_", " ").capitalize()


EnterpriseNature = models.TextChoices(  # type: ignore[misc]
    "EnterpriseNature", [(code.upper(), (code, _label(code))) for code in ENTERPRISE_NATURES]
)
Region = models.TextChoices(  # type: ignore[misc]
    "Region",
    [(code.upper().replace(" ", "_").replace("-", "_"), (code, code)) for code in REGIONS_CHINA],
)
CapacityEvent = models.TextChoices(  # type: ignore[misc]
    "CapacityEvent", [(code.upper(), (code, _label(code))) for code in CAPACITY_EVENTS]
)

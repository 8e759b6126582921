"""Choice lists of the survey, built from the shared vocabulary."""

from __future__ import annotations

from django.db import models

from metalstat.catalog.vocabulary import EVENT_REASONS, RETURN_SOURCES, RETURN_STATUSES
from metalstat.core.choices import text_choices


def _choices(name: str, codes: tuple[str, ...]) -> type[models.TextChoices]:
    return text_choices(
        __name__,
        name,
        [(code.upper(), (code, code.replace("_", " ").capitalize())) for code in codes],
    )


ReturnStatus = _choices("ReturnStatus", RETURN_STATUSES)
ReturnSource = _choices("ReturnSource", RETURN_SOURCES)
EventReason = _choices("EventReason", EVENT_REASONS)

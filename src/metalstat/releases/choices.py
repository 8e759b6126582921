"""Choice lists of releases, built from the shared vocabulary."""

from __future__ import annotations

from django.db import models

from metalstat.catalog.vocabulary import CONF_STATUS, KINDS, OBS_STATUS


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"


FigureKind = models.TextChoices(  # type: ignore[misc]
    "FigureKind", [(code.upper(), (code, code.capitalize())) for code in KINDS]
)
ObsStatus = models.TextChoices(  # type: ignore[misc]
    "ObsStatus", [(code, (code, f"{code}: {text}")) for code, text in OBS_STATUS.items()]
)
ConfStatus = models.TextChoices(  # type: ignore[misc]
    "ConfStatus", [(code, (code, f"{code}: {text}")) for code, text in CONF_STATUS.items()]
)


class CommentaryMode(models.TextChoices):
    REPLACE = "replace", "Replace the drafted paragraph"
    BEFORE = "before", "Insert before the drafted paragraph"
    AFTER = "after", "Insert after the drafted paragraph"


class Language(models.TextChoices):
    EN = "en", "English"
    ZH = "zh", "Chinese"

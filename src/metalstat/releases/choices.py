"""Choice lists of releases, built from the shared vocabulary."""

from __future__ import annotations

from django.db import models

from metalstat.catalog.vocabulary import CONF_STATUS, KINDS, OBS_STATUS
from metalstat.core.choices import text_choices


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"


FigureKind = text_choices(__name__, "FigureKind", [(code.upper(), (code, code.capitalize())) for code in KINDS])
ObsStatus = text_choices(
    __name__, "ObsStatus", [(code, (code, f"{code}: {text}")) for code, text in OBS_STATUS.items()]
)
ConfStatus = text_choices(
    __name__,
    "ConfStatus",
    [(code, (code, f"{code}: {text}")) for code, text in CONF_STATUS.items()],
)


class CommentaryMode(models.TextChoices):
    REPLACE = "replace", "Replace the drafted paragraph"
    BEFORE = "before", "Insert before the drafted paragraph"
    AFTER = "after", "Insert after the drafted paragraph"


class Language(models.TextChoices):
    EN = "en", "English"
    ZH = "zh", "Chinese"

"""How one attempt at a delivery ended, as a channel tells it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Outcome:
    outcome: str  # AttemptOutcome
    detail: str = ""
    retry_after: timedelta | None = None  # a failure to try again after this long; None: give up

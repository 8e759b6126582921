"""The demo's free choices per product (``choices.toml``): plausible levels where the report
gives only percentages, typical operating rates, coverage, panel size, trend, seasonality."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field


class Choice(BaseModel):
    """What the demo assumes about one product (see the header of ``choices.toml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    level: float = Field(gt=0)
    reason: str
    rate: float = Field(gt=0, le=100)
    coverage: float = Field(gt=0.5, le=1.0)
    producers: int = Field(ge=3)
    trend: float = 0.0
    festival: float = Field(default=0.95, gt=0.5, le=1.1)
    noun: str = "Plant"


@lru_cache(maxsize=1)
def load_choices() -> dict[str, Choice]:
    text = resources.files("metalstat.demo").joinpath("choices.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    return {code: Choice.model_validate(entry) for code, entry in raw.items()}

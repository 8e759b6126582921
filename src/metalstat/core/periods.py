"""Months and dates as actions take them: a ``date`` or its ISO text, refused with a
ValidationError that names the field."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError

from metalstat.engine.inputs import InputError, month_start


def as_period(value: date | str, field: str = "period") -> date:
    """A month as the date of its first day; a date must already be the first."""
    if isinstance(value, date):
        if value.day != 1:
            raise ValidationError({field: f"{value} is not the first day of a month"})
        return value
    try:
        return month_start(value)
    except InputError as exc:
        raise ValidationError({field: str(exc)}) from None


def as_date(value: date | str, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationError({field: f"{value!r} is not a date (YYYY-MM-DD)"}) from None


def month_text(value: date | None) -> str | None:
    """A month as ``YYYY-MM`` text (None stays None), the form files and figures use."""
    return None if value is None else f"{value:%Y-%m}"

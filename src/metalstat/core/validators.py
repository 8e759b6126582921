"""Field validators shared by the registry, survey and releases apps."""

from __future__ import annotations

import unicodedata
from datetime import date

from django.core.exceptions import ValidationError

from metalstat.catalog import Product, load_catalog


def validate_product_code(code: str) -> None:
    """The code must name a product of the catalog."""
    if code not in load_catalog().codes():
        raise ValidationError("%(code)r is not a product code of the catalog", params={"code": code}, code="product")


def catalog_product(code: str) -> Product:
    validate_product_code(code)
    return load_catalog().get(code)


def validate_month_start(value: date) -> None:
    """Periods are stored as the first day of their month."""
    if value is not None and value.day != 1:
        raise ValidationError(
            "%(value)s is not the first day of a month (periods are stored as YYYY-MM-01)",
            params={"value": value},
            code="period",
        )


def code_problem(text: str) -> tuple[str, str] | None:
    """What is wrong with ``text`` as a code (message, error code), or None: an invisible or
    control character inside it, spaces around it. ``text`` is taken NFKC-normalised (full-width
    ＣＵ００１ is CU001); the import normalises before it asks, a form or an action refuses a
    code that is not normalised."""
    for i, ch in enumerate(text):
        if unicodedata.category(ch) in ("Cf", "Cc", "Zl", "Zp"):
            return (
                f"the code holds an invisible character U+{ord(ch):04X} "
                f"({unicodedata.name(ch, 'control')}) at character {i + 1}; retype the code",
                "invisible_character",
            )
    if text != text.strip():
        return "spaces around the code; delete them", "code_spaces"
    if unicodedata.normalize("NFKC", text) != text:
        return f"write the code in plain characters: {unicodedata.normalize('NFKC', text)!r}", "code_not_normalised"
    return None


def validate_code(value: str) -> None:
    """A producer or series code a person can read and retype (see :func:`code_problem`)."""
    problem = code_problem(value)
    if problem is not None:
        raise ValidationError(problem[0], code=problem[1])


def code_key(code: str) -> str:
    """What two codes are compared by for near-duplicates: NFKC, case-folded."""
    return unicodedata.normalize("NFKC", code).casefold()

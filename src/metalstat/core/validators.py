"""Field validators shared by the registry, survey and releases apps."""

from __future__ import annotations

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

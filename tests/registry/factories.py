"""Small builders for database tests of the registry, survey and releases apps."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl
import pytest

from metalstat.catalog import Product, load_catalog
from metalstat.engine.figures import FIGURES
from metalstat.registry.actions import do_upsert_producer
from metalstat.registry.models import Producer

COPPER = "copper_cathode"


def make_producer(code: str = "CU01", product: str = COPPER, **fields: Any) -> Producer:
    fields.setdefault("name", f"Plant {code}")
    producer, _ = do_upsert_producer(code, product=product, actor="tester", **fields)
    return producer


def product_with_return_dimension() -> Product:
    """A catalog product whose returns carry breakdown quantities."""
    for product in load_catalog():
        if any(d.source == "return" for d in product.dimensions):
            return product
    pytest.skip("no catalog product has a reported breakdown dimension yet")


def other_product(than: str = COPPER) -> str:
    for product in load_catalog():
        if product.code != than:
            return product.code
    pytest.skip("the catalog has a single product")


def figure_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "product": COPPER,
        "kind": "actual",
        "measure": "production",
        "breakdown": "",
        "statistic": "level",
        "period": "2025-06",
        "value": 100.0,
        "unit": "mt",
        "status": "P",
        "flags": "P",
        "conf_status": "F",
        "coverage": 0.9,
        "response_rate": 1.0,
        "imputed_share": 0.0,
        "n_producers": 5,
    }
    row.update(overrides)
    return row


def figures(rows: Iterable[Mapping[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame([dict(r) for r in rows], schema=FIGURES)

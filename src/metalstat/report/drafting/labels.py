"""The words for breakdowns: a dimension's label and its values' names in the report's
language, and the catalog's order of values."""

from __future__ import annotations

from metalstat.catalog import Product
from metalstat.engine.figures import parse_breakdown
from metalstat.report.language import Language

# Domains whose values are places ("in Yunnan"); the others qualify the producer.
GEOGRAPHIC_DIMENSIONS = ("province", "region")


def label_value(lang: Language, p: Product, dim_name: str, value: str) -> str:
    """A breakdown value's name: a size class, a catalog dimension value, or a place."""
    if dim_name == "size_class":
        for s in p.size_classes:
            if s.name == value:
                return lang.name_of(s)
    for d in p.dimensions:
        if d.name == dim_name:
            for lab in d.values:
                if lab.name == value:
                    return lang.name_of(lab)
    for group in ("regions", "provinces", "values"):
        table = lang.config.get(group, {})
        if value in table:
            return str(table[value])
    return value


def dimension_label(lang: Language, p: Product, dim_name: str) -> str:
    for d in p.dimensions:
        if d.name == dim_name:
            return lang.dimension_label(d)
    return lang.term("dimensions", dim_name)


def dimension_order(p: Product, dim_name: str, keys: list[str]) -> list[str]:
    """Breakdown keys of one dimension in the catalog's order of values."""
    order: list[str] = []
    if dim_name == "size_class":
        order = [s.name for s in p.size_classes]
    else:
        for d in p.dimensions:
            if d.name == dim_name:
                order = list(d.value_names())
    rank = {v: i for i, v in enumerate(order)}
    return sorted(keys, key=lambda k: (rank.get(parse_breakdown(k)[dim_name], 999), k))

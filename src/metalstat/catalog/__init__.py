"""The product catalog: every report section as data, typed and checked on load."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from metalstat.catalog.model import Catalog, Dimension, Label, Product, SizeClass, Thresholds

__all__ = [
    "Catalog",
    "CatalogError",
    "Dimension",
    "Label",
    "Product",
    "SizeClass",
    "Thresholds",
    "load_catalog",
]


class CatalogError(ValueError):
    """The catalog file is malformed; the message names the file, product and field."""


def _describe(path: str, raw: dict[str, object], err: ValidationError) -> str:
    products = raw.get("product", [])
    lines = []
    for e in err.errors():
        loc = list(e["loc"])
        where = path
        if loc and loc[0] == "products" and len(loc) > 1 and isinstance(loc[1], int):
            idx = loc[1]
            code = "?"
            if isinstance(products, list) and idx < len(products):
                entry = products[idx]
                if isinstance(entry, dict):
                    code = str(entry.get("code", f"#{idx + 1}"))
            where += f": product {code!r}"
            loc = loc[2:]
        field = ".".join(str(x) for x in loc) or "(product)"
        lines.append(f"{where} field {field}: {e['msg']}")
    return "\n".join(lines)


def parse_catalog(text: str, path: str = "products.toml") -> Catalog:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return Catalog.model_validate({"products": raw.get("product", [])})
    except ValidationError as exc:
        raise CatalogError(_describe(path, raw, exc)) from exc


@lru_cache(maxsize=4)
def load_catalog(path: str | None = None) -> Catalog:
    """Load and check the catalog (the packaged ``products.toml`` unless a path is given)."""
    if path is None:
        text = resources.files("metalstat.catalog").joinpath("products.toml").read_text("utf-8")
        return parse_catalog(text, "products.toml")
    return parse_catalog(Path(path).read_text("utf-8"), path)

"""The product catalog's schema: what metalstat knows about each report section.

Products are data (``products.toml``); this module types and checks them so that every other
part can rely on a product's fields without re-checking.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from metalstat.catalog.vocabulary import REGIONS_CHINA, RETURN_FIELDS, ReturnField

ChainGroup = Literal[
    "base_metals",
    "alloys_and_steel",
    "minor_metals",
    "new_energy_materials",
    "pv",
    "silicon",
    "rare_earths",
    "precious",
]

# The value chains the report groups products by (overview and sections), in reading order.
Chain = Literal[
    "copper",
    "aluminium",
    "lead_zinc_tin",
    "nickel_chromium_stainless",
    "ferroalloys",
    "silicon_pv",
    "minor_metals",
    "battery_materials",
]
CHAINS: tuple[Chain, ...] = get_args(Chain)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Strict):
    """One allowed value of a breakdown dimension, in English and Chinese."""

    name: str
    name_zh: str


class SizeClass(_Strict):
    """A size class: producers whose capacity for the product is at least ``min_capacity``."""

    name: str
    name_zh: str
    min_capacity: float = Field(ge=0, description="unit per year, inclusive lower bound")


class Dimension(_Strict):
    """A breakdown the report uses for a product.

    ``source = "producer"``: an attribute of the producer (region, province, feedstock route);
    figures by value are domain estimates. ``source = "return"``: quantities the producer reports
    inside its return (product series, raw-material source, grade, sub-series).
    ``kind = "partition"``: the values add up to the total (shares are published);
    ``kind = "component"``: each value is a part estimated on its own (e.g. casting ingot
    within aluminium), no shares.
    """

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    label_zh: str
    source: Literal["producer", "return"]
    kind: Literal["partition", "component"] = "partition"
    values: tuple[Label, ...] = Field(min_length=1)
    operating_rate: bool = Field(default=False, description="publish the operating rate per value (producer dims only)")

    @model_validator(mode="after")
    def _check(self) -> Dimension:
        names = [v.name for v in self.values]
        if len(set(names)) != len(names):
            raise ValueError(f"dimension {self.name!r} lists a value twice")
        if self.operating_rate and self.source != "producer":
            raise ValueError("operating_rate per value needs a producer attribute dimension")
        return self

    def value_names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.values)


class Thresholds(_Strict):
    """Limits used by validation, imputation and publication for one product."""

    mom_alert_pct: float = Field(default=20.0, gt=0, description="|MoM %| needing a reason")
    capacity_tolerance: float = Field(default=0.10, ge=0, description="output above capacity")
    schedule_gap_pct: float = Field(default=25.0, gt=0, description="actual vs schedule gap")
    unit_mixup_factor: float = Field(default=500.0, gt=1, description="ratio to usual output")
    breakdown_tolerance: float = Field(default=0.005, ge=0, description="relative sum gap")
    min_coverage: float = Field(default=0.5, ge=0, le=1)
    min_response: float = Field(default=0.5, ge=0, le=1)
    imputed_share_max: float = Field(default=0.3, ge=0, le=1)
    significant_change_pct: float = Field(
        default=10.0, gt=0, description="|change in daily output| (%) that makes a producer's move significant"
    )


# The largest plausible nameplate capacity of one producer, unit per year, by the product's
# unit, where a product does not set its own ``max_capacity``: ten times the largest plants
# (an integrated steel works or smelter makes a few million tonnes a year; the largest PV
# factories some 100 GW; a film maker some 250,000 × 10,000 m²). A capacity above it is a
# typing slip (extra zeros, a unit mix-up) and is refused on import.
MAX_CAPACITY_BY_UNIT: dict[str, float] = {"mt": 50_000_000.0, "GW": 1_000.0, "10,000 m²": 2_500_000.0}
MAX_CAPACITY_OTHER = 50_000_000.0


class Product(_Strict):
    """One section of the report."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    name_zh: str
    group: ChainGroup
    scope: Literal["China", "Overseas", "Indonesia"]
    chain: Chain | None = Field(
        default=None,
        description="the value chain the report groups the product under (CHAINS); every product of "
        "products.toml names one (a test holds it), a product without one is reported after the chains",
    )
    unit: str
    unit_zh: str
    content: Literal["physical", "metal", "both"]
    headline_content: Literal["physical", "metal"] = "physical"
    metal_factor: float | None = Field(default=None, gt=0, le=1)
    fixed_formula: bool = Field(
        default=False,
        description="a salt of fixed formula: every return's metal content is physical x metal_factor",
    )
    decimals: int = Field(default=2, ge=0, le=4)
    producer_counts: Literal["change", "status"] = Field(
        default="change",
        description="the one family of producer counts the report prints: producers lowering or "
        "raising daily output against last month, or producers by reported status",
    )
    operating_rate: Literal["output", "capacity", "none"]
    month_capacity: Literal["days", "twelfth"] = Field(
        default="days",
        description="a month's capacity for the output-basis operating rate and rate-based "
        "imputation: annual × days/365, or annual / 12 (every month the same)",
    )
    size_classes: tuple[SizeClass, ...] = Field(min_length=1)
    strata: tuple[str, ...] = ("size_class",)
    dimensions: tuple[Dimension, ...] = ()
    regions: tuple[str, ...] = REGIONS_CHINA
    provinces: tuple[str, ...] = ()
    thresholds: Thresholds = Thresholds()
    max_capacity: float | None = Field(
        default=None,
        gt=0,
        description="largest plausible capacity of one producer, unit/year (default by unit: MAX_CAPACITY_BY_UNIT)",
    )
    first_published: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")
    change_crossings: tuple[str, ...] = Field(
        default=(),
        description="producer domains (province, region, a producer dimension) by which the output change of "
        "the producers that lowered / raised daily output is stated ('plants that cut in Shaanxi lost 1,500 t')",
    )
    notes: str = ""

    @field_validator("size_classes")
    @classmethod
    def _size_classes_descend(cls, v: tuple[SizeClass, ...]) -> tuple[SizeClass, ...]:
        mins = [s.min_capacity for s in v]
        if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            raise ValueError("size classes must be listed largest first with distinct minimums")
        if mins[-1] != 0:
            raise ValueError("the smallest size class must start at 0")
        return v

    @model_validator(mode="after")
    def _check(self) -> Product:
        if self.content == "both" and self.metal_factor is None:
            raise ValueError("content 'both' needs metal_factor (metal per physical tonne)")
        if self.fixed_formula and self.content != "both":
            raise ValueError("fixed_formula applies to a product reported in both contents")
        dims = {d.name for d in self.dimensions}
        if len(dims) != len(self.dimensions):
            raise ValueError("a dimension is listed twice")
        allowed_strata = {"size_class", "region", "province"} | {
            d.name for d in self.dimensions if d.source == "producer"
        }
        for s in self.strata:
            if s not in allowed_strata:
                raise ValueError(f"stratum {s!r} is not a producer attribute of this product")
        producer_dims = {d.name for d in self.dimensions if d.source == "producer"}
        for c in self.change_crossings:
            if c not in producer_dims:
                raise ValueError(f"change crossing {c!r} is not a producer dimension of this product")
        return self

    def capacity_bound(self) -> float:
        """The largest capacity of one producer an import accepts (unit per year)."""
        if self.max_capacity is not None:
            return self.max_capacity
        return MAX_CAPACITY_BY_UNIT.get(self.unit, MAX_CAPACITY_OTHER)

    def dimension(self, name: str) -> Dimension:
        for d in self.dimensions:
            if d.name == name:
                return d
        raise KeyError(f"product {self.code!r} has no dimension {name!r}")

    def return_fields(self) -> tuple[ReturnField, ...]:
        """The fields of a return this product asks for: metal content only where it reports
        it, operating capacity only where its operating rate is on a capacity basis."""
        asked = {
            "": True,
            "metal_content": self.content != "physical",
            "capacity_rate": self.operating_rate == "capacity",
        }
        return tuple(f for f in RETURN_FIELDS if asked[f.only_for])

    def size_class_for(self, capacity: float) -> str:
        """The size class of a producer with this capacity (unit/year)."""
        for s in self.size_classes:
            if capacity >= s.min_capacity:
                return s.name
        return self.size_classes[-1].name


class Catalog(_Strict):
    """Every product, in the report's order."""

    products: tuple[Product, ...]

    @model_validator(mode="after")
    def _unique(self) -> Catalog:
        seen: set[str] = set()
        for p in self.products:
            if p.code in seen:
                raise ValueError(f"product code {p.code!r} is used twice")
            seen.add(p.code)
        return self

    def __iter__(self) -> Iterator[Product]:  # type: ignore[override]
        return iter(self.products)

    def __len__(self) -> int:
        return len(self.products)

    def get(self, code: str) -> Product:
        for p in self.products:
            if p.code == code:
                return p
        raise KeyError(f"unknown product code {code!r}")

    def codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.products)

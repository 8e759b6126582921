"""Products built in the tests, so engine tests do not depend on the packaged catalog."""

from __future__ import annotations

from metalstat.catalog.model import Dimension, Label, Product, SizeClass, Thresholds


def _labels(*names: str) -> tuple[Label, ...]:
    return tuple(Label(name=n, name_zh=n) for n in names)


LOOSE = Thresholds(min_coverage=0.0, min_response=0.0, imputed_share_max=1.0)

SIZES = (
    SizeClass(name="large", name_zh="大", min_capacity=300_000),
    SizeClass(name="small", name_zh="小", min_capacity=0),
)

COPPER = Product(
    code="copper_cathode",
    name="Copper Cathode",
    name_zh="电解铜",
    group="base_metals",
    scope="China",
    unit="mt",
    unit_zh="吨",
    content="physical",
    operating_rate="output",
    size_classes=SIZES,
    strata=("size_class",),
    dimensions=(
        Dimension(
            name="feedstock",
            label="Feedstock",
            label_zh="原料",
            source="producer",
            operating_rate=True,
            values=_labels("copper concentrate", "copper scrap or anode"),
        ),
    ),
    thresholds=LOOSE,
)

NPI = Product(
    code="npi",
    name="NPI",
    name_zh="镍生铁",
    group="base_metals",
    scope="China",
    unit="mt",
    unit_zh="吨",
    content="both",
    metal_factor=0.1,
    operating_rate="none",
    size_classes=SIZES,
    thresholds=LOOSE,
)

PRECURSOR = Product(
    code="ternary_precursor",
    name="Ternary Cathode Precursor",
    name_zh="三元前驱体",
    group="new_energy_materials",
    scope="China",
    unit="mt",
    unit_zh="吨",
    content="physical",
    operating_rate="output",
    size_classes=SIZES,
    thresholds=LOOSE,
    dimensions=(
        Dimension(
            name="series",
            label="Series",
            label_zh="系列",
            source="return",
            values=_labels("5-series", "6-series", "8-series"),
        ),
    ),
)

ALUMINA = Product(
    code="alumina",
    name="Alumina",
    name_zh="氧化铝",
    group="base_metals",
    scope="China",
    unit="mt",
    unit_zh="吨",
    content="physical",
    operating_rate="capacity",
    size_classes=SIZES,
    thresholds=LOOSE,
)

NPI_GRADES = Product(
    code="npi",
    name="NPI",
    name_zh="镍生铁",
    group="base_metals",
    scope="China",
    unit="mt",
    unit_zh="吨",
    content="both",
    metal_factor=0.1,
    operating_rate="output",
    size_classes=SIZES,
    thresholds=LOOSE,
    dimensions=(
        Dimension(
            name="grade", label="Grade", label_zh="品位", source="return", values=_labels("high-grade", "low-grade")
        ),
        Dimension(
            name="region",
            label="Region",
            label_zh="地区",
            source="producer",
            values=_labels("east China", "north China"),
        ),
    ),
)

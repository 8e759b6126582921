"""A small, hand-built vintage of figures for report tests.

Levels are chosen by hand; every derived statistic (MoM, YoY, YTD, daily average) is
computed here with plain arithmetic, independently of the engine, so the report's text can
be checked against numbers worked out by hand.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime
from typing import Any

import polars as pl

from metalstat.catalog import Catalog, Dimension, Label, Product, SizeClass
from metalstat.engine.figures import FIGURES
from metalstat.report.inputs import (
    AuxiliaryObservation,
    AuxiliarySeries,
    CapacityChange,
    CommentaryEntry,
    MaintenanceItem,
    ReportInput,
)

PERIOD = "2025-06"

COPPER = Product(
    code="copper_cathode",
    name="Copper Cathode",
    name_zh="电解铜",
    group="base_metals",
    scope="China",
    chain="copper",
    unit="mt",
    unit_zh="吨",
    content="physical",
    operating_rate="output",
    size_classes=(
        SizeClass(name="large", name_zh="大型", min_capacity=400000),
        SizeClass(name="medium", name_zh="中型", min_capacity=100000),
        SizeClass(name="small", name_zh="小型", min_capacity=0),
    ),
    dimensions=(
        Dimension(
            name="feedstock",
            label="Feedstock route",
            label_zh="原料路线",
            source="producer",
            operating_rate=True,
            values=(
                Label(name="copper concentrate", name_zh="铜精矿"),
                Label(name="copper scrap or anode", name_zh="废铜或阳极铜"),
            ),
        ),
    ),
)
NICKEL_SULPHATE = Product(
    code="nickel_sulphate",
    name="Nickel Sulphate",
    name_zh="硫酸镍",
    group="new_energy_materials",
    scope="China",
    chain="battery_materials",
    unit="mt",
    unit_zh="吨",
    content="both",
    headline_content="metal",
    metal_factor=0.22,
    operating_rate="none",
    size_classes=(SizeClass(name="all", name_zh="全部", min_capacity=0),),
)
PRECURSOR = Product(
    code="ternary_precursor",
    name="Ternary Cathode Precursor",
    name_zh="三元前驱体",
    group="new_energy_materials",
    scope="China",
    chain="battery_materials",
    unit="mt",
    unit_zh="吨",
    content="physical",
    operating_rate="output",
    size_classes=(SizeClass(name="all", name_zh="全部", min_capacity=0),),
    dimensions=(
        Dimension(
            name="series",
            label="Product series",
            label_zh="产品系列",
            source="return",
            values=(
                Label(name="5-series", name_zh="5系"),
                Label(name="6-series", name_zh="6系"),
                Label(name="8-series", name_zh="8系"),
            ),
        ),
    ),
)
BISMUTH = Product(
    code="refined_bismuth",
    name="Refined Bismuth",
    name_zh="精铋",
    group="minor_metals",
    scope="China",
    chain="minor_metals",
    unit="mt",
    unit_zh="吨",
    content="physical",
    operating_rate="none",
    size_classes=(SizeClass(name="all", name_zh="全部", min_capacity=0),),
)
CATALOG = Catalog(products=(COPPER, NICKEL_SULPHATE, PRECURSOR, BISMUTH))

# Copper cathode production, mt: January 2024 to June 2025 and the July 2025 forecast.
COPPER_LEVELS = {
    "2024-01": 980_000.0, "2024-02": 940_000.0, "2024-03": 990_000.0,
    "2024-04": 1_000_000.0, "2024-05": 1_010_000.0, "2024-06": 1_008_200.0,
    "2024-07": 1_031_900.0, "2024-08": 1_050_000.0, "2024-09": 1_040_000.0,
    "2024-10": 1_060_000.0, "2024-11": 1_080_000.0, "2024-12": 1_100_000.0,
    "2025-01": 1_090_000.0, "2025-02": 1_060_000.0, "2025-03": 1_110_000.0,
    "2025-04": 1_125_000.0, "2025-05": 1_142_000.0, "2025-06": 1_138_600.0,
}  # fmt: skip
COPPER_FORECAST = 1_154_100.0  # July 2025

_rows: list[dict[str, Any]] = []


def fig(
    product: str,
    measure: str,
    statistic: str,
    period: str,
    value: float | None,
    *,
    breakdown: str = "",
    kind: str = "actual",
    unit: str = "mt",
    status: str = "A",
    conf_status: str = "F",
) -> dict[str, Any]:
    return {
        "product": product,
        "kind": kind,
        "measure": measure,
        "breakdown": breakdown,
        "statistic": statistic,
        "period": period,
        "value": value,
        "unit": unit,
        "status": status,
        "flags": status,
        "conf_status": conf_status,
        "coverage": 0.95,
        "response_rate": 0.9,
        "imputed_share": 0.05,
        "n_producers": 10,
    }


def shift(period: str, months: int) -> str:
    y, m = (int(x) for x in period.split("-"))
    i = y * 12 + m - 1 + months
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def production_rows(
    product: str, levels: dict[str, float], *, breakdown: str = "", kind: str = "actual"
) -> list[dict[str, Any]]:
    """Level, daily average, MoM and YoY for every month that has what it needs."""
    rows = []
    for period, level in levels.items():
        y, m = (int(x) for x in period.split("-"))
        days = calendar.monthrange(y, m)[1]
        status = "P" if period == PERIOD else "A"
        add = [("level", level), ("daily_avg", level / days)]
        prev = levels.get(shift(period, -1))
        if prev:
            add += [("mom_abs", level - prev), ("mom_pct", (level - prev) / prev * 100)]
        ago = levels.get(shift(period, -12))
        if ago:
            add += [("yoy_abs", level - ago), ("yoy_pct", (level - ago) / ago * 100)]
        rows += [
            fig(product, "production", s, period, v, breakdown=breakdown, kind=kind, status=status) for s, v in add
        ]
    return rows


def copper_rows() -> list[dict[str, Any]]:
    p = "copper_cathode"
    rows = production_rows(p, COPPER_LEVELS)
    ytd = sum(COPPER_LEVELS[f"2025-0{m}"] for m in range(1, 7))
    ytd_ago = sum(COPPER_LEVELS[f"2024-0{m}"] for m in range(1, 7))
    span = "2025-01..2025-06"
    rows += [
        fig(p, "production", "ytd_level", span, ytd),
        fig(p, "production", "ytd_abs", span, ytd - ytd_ago),
        fig(p, "production", "ytd_pct", span, (ytd - ytd_ago) / ytd_ago * 100),
    ]
    # forecast for July from schedules
    july, june, july_ago = COPPER_FORECAST, COPPER_LEVELS["2025-06"], COPPER_LEVELS["2024-07"]
    fc = dict(kind="forecast", status="F")
    rows += [
        fig(p, "production", "level", "2025-07", july, **fc),
        fig(p, "production", "mom_abs", "2025-07", july - june, **fc),
        fig(p, "production", "mom_pct", "2025-07", (july - june) / june * 100, **fc),
        fig(p, "production", "yoy_abs", "2025-07", july - july_ago, **fc),
        fig(p, "production", "yoy_pct", "2025-07", (july - july_ago) / july_ago * 100, **fc),
        fig(p, "production", "level", "2025-07", 1_120_000.0, breakdown="method=ets", **fc),
        fig(
            p,
            "production",
            "level",
            "2025-07",
            1_095_000.0,
            breakdown="method=seasonal_naive",
            **fc,
        ),
        fig(p, "operating_rate", "level", "2025-07", 86.93, unit="%", **fc),
        fig(p, "operating_rate", "pp_mom", "2025-07", 1.17, unit="pp", **fc),
        # a plant ramping up joins July's sample: 1.52 pp like for like, -0.35 pp its entry
        fig(p, "operating_rate", "lfl_pp_mom", "2025-07", 1.52, unit="pp", **fc),
        fig(p, "operating_rate", "panel_effect_pp", "2025-07", -0.35, unit="pp", **fc),
        fig(
            p,
            "operating_rate",
            "level",
            "2025-07",
            89.41,
            unit="%",
            breakdown="size_class=large",
            **fc,
        ),
        fig(
            p,
            "operating_rate",
            "pp_mom",
            "2025-07",
            1.89,
            unit="pp",
            breakdown="size_class=large",
            **fc,
        ),
    ]
    ytd7 = ytd + july
    ytd7_ago = ytd_ago + july_ago
    span7 = "2025-01..2025-07"
    rows += [
        fig(p, "production", "ytd_level", span7, ytd7, **fc),
        fig(p, "production", "ytd_abs", span7, ytd7 - ytd7_ago, **fc),
        fig(p, "production", "ytd_pct", span7, (ytd7 - ytd7_ago) / ytd7_ago * 100, **fc),
    ]
    # operating rates, output basis, 13 months for the chart
    for i, period in enumerate(sorted(COPPER_LEVELS)[-13:]):
        rows.append(fig(p, "operating_rate", "level", period, 80.0 + i * 0.5, unit="%"))
    rows = [
        r for r in rows if not (r["measure"] == "operating_rate" and r["period"] == PERIOD and r["kind"] == "actual")
    ]
    rows += [
        fig(p, "operating_rate", "level", PERIOD, 85.76, unit="%", status="B"),
        fig(p, "operating_rate", "pp_mom", PERIOD, -3.06, unit="pp", status="B"),
        fig(p, "operating_rate", "lfl_pp_mom", PERIOD, -0.56, unit="pp"),
        fig(p, "operating_rate", "panel_effect_pp", PERIOD, -2.50, unit="pp"),
    ]
    for cls, level, pp in (
        ("large", 87.52, -5.21),
        ("medium", 84.87, 0.19),
        ("small", 69.37, 6.48),
    ):
        rows += [
            fig(p, "operating_rate", "level", PERIOD, level, unit="%", breakdown=f"size_class={cls}"),
            fig(p, "operating_rate", "pp_mom", PERIOD, pp, unit="pp", breakdown=f"size_class={cls}"),
        ]
    for route, level, pp in (
        ("copper concentrate", 89.1, -4.2),
        ("copper scrap or anode", 69.1, 0.2),
    ):
        key = f"feedstock={route}"
        rows += [
            fig(p, "operating_rate", "level", PERIOD, level, unit="%", breakdown=key),
            fig(p, "operating_rate", "pp_mom", PERIOD, pp, unit="pp", breakdown=key),
        ]
    rows += [
        fig(p, "producer_count", "count", PERIOD, 40, unit="count"),
        fig(p, "producer_count", "count", PERIOD, 15, unit="count", breakdown="status=cut"),
        fig(p, "producer_count", "count_change", PERIOD, 7, unit="count", breakdown="status=cut"),
        fig(p, "producer_count", "count", PERIOD, 1, unit="count", breakdown="status=maintenance"),
        fig(
            p,
            "producer_count",
            "count_change",
            PERIOD,
            0,
            unit="count",
            breakdown="status=maintenance",
        ),
        fig(p, "producer_share", "level", PERIOD, 37.5, unit="%", breakdown="change=reduced"),
        fig(p, "producer_share", "level", "2025-05", 18.75, unit="%", breakdown="change=reduced"),
        fig(p, "producer_count", "count", PERIOD, 15, unit="count", breakdown="change=reduced"),
        fig(p, "producer_count", "count", PERIOD, 0, unit="count", breakdown="change=increased"),
        fig(
            p,
            "producer_share",
            "level",
            "2025-07",
            55.0,
            unit="%",
            breakdown="change=reduced",
            kind="forecast",
            status="F",
        ),
        fig(
            p,
            "producer_count",
            "count",
            "2025-07",
            4,
            unit="count",
            breakdown="change=increased",
            kind="forecast",
            status="F",
        ),
        fig(p, "province_count", "count", PERIOD, 14, unit="count"),
        fig(p, "capacity", "level", PERIOD, 15_300_000, unit="mt/year", breakdown="basis=sample"),
        fig(p, "coverage", "level", PERIOD, 96.4, unit="%"),
        fig(p, "response_rate", "level", PERIOD, 92.5, unit="%"),
        fig(p, "imputed_share", "level", PERIOD, 3.1, unit="%"),
        fig(
            p,
            "operating_capacity",
            "level",
            PERIOD,
            5_000_000,
            unit="mt/year",
            breakdown="region=east China",
        ),
        fig(
            p,
            "operating_capacity",
            "mom_abs",
            PERIOD,
            400_000,
            unit="mt/year",
            breakdown="region=east China",
        ),
        fig(
            p,
            "operating_capacity",
            "level",
            "2025-07",
            15_300_000,
            unit="mt/year",
            kind="forecast",
            status="F",
        ),
        fig(p, "forecast_error", "pct", PERIOD, 1.25, unit="%"),
        fig(p, "forecast_error", "abs", PERIOD, 14_232.5, unit="mt"),
        fig(p, "forecast_error", "mape", PERIOD, 1.8, unit="%"),
    ]
    return rows


NICKEL_METAL = {"2024-06": 30_100.0, "2025-05": 24_550.0, "2025-06": 24_200.0}
NICKEL_PHYSICAL = {"2024-06": 137_200.0, "2025-05": 111_800.0, "2025-06": 110_200.0}


def nickel_rows() -> list[dict[str, Any]]:
    p = "nickel_sulphate"
    rows = production_rows(p, NICKEL_METAL)
    for r in rows:
        if r["period"] == PERIOD and r["statistic"] == "level":
            r["flags"] = "P,I,E"  # more of the estimate imputed than the product allows
    rows += production_rows(p, NICKEL_METAL, breakdown="content=metal")
    rows += production_rows(p, NICKEL_PHYSICAL, breakdown="content=physical")
    return rows


PRECURSOR_LEVELS = {"2024-06": 80_000.0, "2025-05": 75_700.0, "2025-06": 77_450.0}
# shares of June output by series, %, and their change in pp; 8-series is confidential
PRECURSOR_SHARES = {"5-series": (16.76, -0.42), "6-series": (42.33, 1.05)}
SECRET_SHARE = 28.3417  # must never be printed


def precursor_rows() -> list[dict[str, Any]]:
    p = "ternary_precursor"
    rows = production_rows(p, PRECURSOR_LEVELS)
    for series, (share, pp) in PRECURSOR_SHARES.items():
        key = f"series={series}"
        rows += [
            fig(p, "share", "level", PERIOD, share, unit="%", breakdown=key),
            fig(p, "share", "pp_mom", PERIOD, pp, unit="pp", breakdown=key),
        ]
    rows += [
        fig(p, "share", "level", "2025-07", 43.0, unit="%", breakdown="series=6-series", kind="forecast", status="F"),
        fig(p, "share", "pp_mom", "2025-07", 0.67, unit="pp", breakdown="series=6-series", kind="forecast", status="F"),
    ]
    rows.append(
        fig(
            p,
            "share",
            "level",
            PERIOD,
            SECRET_SHARE,
            unit="%",
            breakdown="series=8-series",
            conf_status="C",
        )
    )
    return rows


def bismuth_rows() -> list[dict[str, Any]]:
    p = "refined_bismuth"
    rows = production_rows(p, {"2025-05": 1_510.0, "2025-06": 1_491.3})
    for r in rows:
        if r["period"] == PERIOD:
            r["status"] = "U"  # coverage below the minimum: withheld
            r["flags"] = "U"
    return rows


def figures_frame() -> pl.DataFrame:
    rows = copper_rows() + nickel_rows() + precursor_rows() + bismuth_rows()
    return pl.DataFrame(rows, schema=FIGURES)


def prior_forecasts_frame() -> pl.DataFrame:
    """May's release's forecast of June, as the engine's error compares it: 1,152,832.5 mt,
    14,232.5 mt or 1.25% above June's estimate of 1,138,600 mt (the error figures above)."""
    row = fig("copper_cathode", "production", "level", PERIOD, 1_152_832.5, kind="forecast", status="F")
    return pl.DataFrame([row], schema=FIGURES)


def report_input(**overrides: Any) -> ReportInput:
    values: dict[str, Any] = dict(
        period=PERIOD,
        figures=figures_frame(),
        prior_forecasts=prior_forecasts_frame(),
        catalog=CATALOG,
        vintage=3,
        release_at=datetime(2025, 6, 30, 18, 0, tzinfo=UTC),
        status="published",
        events=(
            MaintenanceItem(
                "copper_cathode",
                "north China",
                "Shanxi",
                "environmental_inspection",
                False,
                date(2025, 6, 10),
                date(2025, 6, 25),
                150_000.0,
            ),
            MaintenanceItem(
                "copper_cathode",
                "east China",
                "Shandong",
                "maintenance",
                True,
                date(2025, 7, 5),
                date(2025, 7, 20),
                200_000.0,
            ),
        ),
        capacity_changes=(
            CapacityChange(
                "copper_cathode",
                "east China",
                "Jiangsu",
                "commissioning",
                date(2025, 6, 1),
                400_000.0,
            ),
        ),
        auxiliary=(
            AuxiliarySeries(
                code="port_copper_concentrate_inventory",
                name="Port copper concentrate inventory",
                name_zh="港口铜精矿库存",
                unit="mt",
                product="copper_cathode",
                kind="stock",
                observations=(
                    AuxiliaryObservation(date(2024, 6, 28), 700_000.0),
                    AuxiliaryObservation(date(2025, 5, 30), 795_900.0),
                    AuxiliaryObservation(date(2025, 7, 4), 620_000.0),
                    AuxiliaryObservation(date(2025, 6, 27), 623_500.0),
                ),
            ),
        ),
        commentary=(),
    )
    values.update(overrides)
    return ReportInput(**values)


def commentary(product: str, slot: str, mode: str, text: str, lang: str = "en") -> CommentaryEntry:
    return CommentaryEntry(product=product, language=lang, slot=slot, mode=mode, text=text, author="A. Analyst")

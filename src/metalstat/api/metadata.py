"""What a series is, in words and numbers: titles in English and Chinese, unit, kind (how it
may be aggregated), decimals, its span and the sample behind its latest figure."""

from __future__ import annotations

from typing import Any

from metalstat.catalog import Catalog
from metalstat.engine.figures import parse_breakdown

# measure -> (English, Chinese, kind): flows add up over months, stocks and rates do not.
MEASURES: dict[str, tuple[str, str, str]] = {
    "production": ("production", "产量", "flow"),
    "operating_rate": ("operating rate", "开工率", "rate"),
    "capacity": ("existing capacity", "建成产能", "stock"),
    "operating_capacity": ("operating capacity", "运行产能", "stock"),
    "share": ("share", "占比", "rate"),
    "producer_count": ("producers", "企业数", "stock"),
    "producer_share": ("share of producers", "企业占比", "rate"),
    "coverage": ("capacity coverage", "产能覆盖率", "rate"),
    "response_rate": ("response rate", "回复率", "rate"),
    "imputed_share": ("imputed share", "估算占比", "rate"),
    "forecast_error": ("forecast error", "预测误差", "rate"),
    "province_count": ("provinces", "省份数", "stock"),
    "auxiliary": ("market series", "市场数据", "stock"),
}
STATISTICS: dict[str, tuple[str, str]] = {
    "level": ("level", "水平"),
    "daily_avg": ("daily average", "日均"),
    "mom_abs": ("change on the month", "环比变化"),
    "mom_pct": ("% change on the month", "环比%"),
    "yoy_abs": ("change on the year", "同比变化"),
    "yoy_pct": ("% change on the year", "同比%"),
    "ytd_level": ("year to date", "年初至今累计"),
    "ytd_abs": ("year to date, change on the year", "累计同比变化"),
    "ytd_pct": ("year to date, % change on the year", "累计同比%"),
    "pp_mom": ("change on the month, pp", "环比变化(百分点)"),
    "pp_yoy": ("change on the year, pp", "同比变化(百分点)"),
    "count": ("count", "数量"),
    "count_change": ("change in count", "数量变化"),
    "lfl_mom_pct": ("like-for-like % change on the month", "同口径环比%"),
    "lfl_yoy_pct": ("like-for-like % change on the year", "同口径同比%"),
    "lfl_pp_mom": ("like-for-like change on the month, pp", "同口径环比(百分点)"),
    "panel_effect_pct": ("part of the change from the panel, %", "样本变动影响%"),
    "panel_effect_pp": ("part of the change from the panel, pp", "样本变动影响(百分点)"),
    "pct": ("%", "%"),
    "abs": ("absolute", "绝对值"),
    "mape": ("mean absolute % error, 12 months", "12个月平均绝对误差%"),
}
RATE_STATISTICS = {"mom_pct", "yoy_pct", "ytd_pct", "lfl_mom_pct", "lfl_yoy_pct", "pct", "mape"}


def series_kind(measure: str, statistic: str) -> str:
    if statistic in RATE_STATISTICS:
        return "rate"
    if statistic not in ("level", "ytd_level", "daily_avg"):
        return "change"
    return MEASURES.get(measure, (measure, measure, "stock"))[2]


# What a series title adds for its kind, in English and Chinese.
_KIND_SUFFIX = {
    "forecast": (" (forecast)", "（预测）"),
    "forecast2": (" (forecast of the month after next)", "（下下月预测）"),
}


def describe(row: dict[str, Any], catalog: Catalog) -> dict[str, Any]:
    """Metadata of one row of ``releases.queries.series_index``."""
    code = row["product"]
    try:
        product = catalog.get(code)
        name, name_zh, decimals, notes = (
            product.name,
            product.name_zh,
            product.decimals,
            product.notes,
        )
    except KeyError:
        name, name_zh, decimals, notes = code, code, 2, ""
    m_en, m_zh, _ = MEASURES.get(row["measure"], (row["measure"], row["measure"], ""))
    s_en, s_zh = STATISTICS.get(row["statistic"], (row["statistic"], row["statistic"]))
    parts = parse_breakdown(row["breakdown"])
    where = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in parts.items()) or "total"
    suffix_en, suffix_zh = _KIND_SUFFIX.get(row["kind"], ("", ""))
    title = f"{name}: {m_en}, {where}, {s_en}" + suffix_en
    title_zh = f"{name_zh}{m_zh}（{'，'.join(f'{v}' for v in parts.values()) or '合计'}）{s_zh}" + suffix_zh
    unit = row["unit"]
    return {
        "id": row["series_id"],
        "title": title,
        "title_zh": title_zh,
        "product": code,
        "kind": row["kind"],
        "measure": row["measure"],
        "breakdown": parts,
        "statistic": row["statistic"],
        "unit": unit,
        "unit_multiplier": 0,
        "decimals": 2 if unit in ("%", "pp") else decimals,
        "aggregation": series_kind(row["measure"], row["statistic"]),
        "first_period": row["first"],
        "last_period": row["last"],
        "notes": notes,
    }

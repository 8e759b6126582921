"""The market series the report quotes (port concentrate stocks, treatment charges, tender
prices, nickel price and premium, tin concentrate imports ...), as monthly observations that
agree with every statement the report makes about them.

Each series is a path over the demo's months solved like a production path (levels, MoM and
YoY changes, cumulative sums as conditions) around a gently wandering prior.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from datetime import date

import numpy as np
import polars as pl

from metalstat.demo import paths, timeline
from metalstat.demo.national import in_months
from metalstat.demo.ranges import admitted
from metalstat.demo.targets import Target
from metalstat.engine.auxiliary import kind_problems
from metalstat.engine.calendar import month_end

FIRST = timeline.index("2024-01")


_UNIT_WORDS = ("mt", "yuan", "USD", "%", "days", "kg", "dmt", "wmt", "mtu", "lb")


# Units the pointers do not spell plainly.
_UNITS = {
    "shfe_lead_most_traded_price": "yuan/mt",
    "tin_concentrate_imports": "mt",
    "tin_concentrate_imports_myanmar_metal": "mt tin content",
    "myanmar_share_of_tin_concentrate_imports": "%",
    "yunnan_tin_smelter_raw_material_days": "days",
    "jiangxi_scrap_tin_circulation": "mt tin content",
    # a lithium point: yuan per mt of black mass for each 1% of lithium it holds (元/锂点)
    "black_mass_price": "yuan/mt per 1% Li",
    "ndfeb_scrap_price": "yuan/kg",  # of Pr-Nd content, as its names say
}


def _unit(about: str, code: str = "") -> str:
    """The unit named in a target's pointer: its last ", unit" or "(unit)" part."""
    if code in _UNITS:
        return _UNITS[code]
    candidates = []
    if "," in about:
        candidates.append(about.rsplit(",", 1)[1].strip())
    candidates.extend(reversed(re.findall(r"\(([^()]*)\)", about)))
    for c in candidates:
        c = c.split(";")[0].replace("monthly average", "").replace("month end", "").strip(" ,")
        if c and len(c) <= 24 and any(w in c for w in _UNIT_WORDS):
            return c
    return ""


# The series' Chinese names, as the trade writes them.
NAMES_ZH = {
    "tungsten_concentrate_price": "钨精矿价格",
    "tungsten_mining_quota_first_batch": "第一批钨矿开采总量控制指标",
    "cobalt_intermediate_price": "钴中间品价格",
    "cobalt_intermediate_smelter_inventory": "冶炼厂钴中间品库存",
    "copper_anode_imports": "阳极铜进口量",
    "port_copper_concentrate_inventory": "港口铜精矿库存",
    "sulphuric_acid_price": "硫酸价格",
    "emd_price": "电解二氧化锰价格",
    "chrome_ore_spot_price": "铬矿现货价格",
    "tsingshan_hc_ferrochrome_tender_price": "青山高碳铬铁招标价",
    "ferrous_sulphate_price": "硫酸亚铁价格",
    "industrial_map_price": "工业级磷酸一铵价格",
    "iron_phosphate_price": "磷酸铁价格",
    "phosphoric_acid_price": "磷酸价格",
    "black_mass_price": "黑粉价格",
    "lithium_carbonate_spot_price": "碳酸锂现货价格",
    "ndfeb_scrap_price": "钕铁硼废料（按镨钕含量计）价格",
    "high_grade_npi_price": "高镍生铁价格",
    "npi_smelter_ore_cost": "镍铁厂镍矿成本",
    "bintan_alumina_phase3_capacity": "宾坦氧化铝三期产能",
    "borneo_alumina_indonesia_capacity": "婆罗洲印尼氧化铝产能",
    "borneo_alumina_indonesia_operating_rate": "婆罗洲印尼氧化铝开工率",
    "borneo_alumindo_prima_capacity": "婆罗洲普利马氧化铝产能",
    "inalum_capacity": "印尼国家铝业产能",
    "inalum_capacity_long_term_target": "印尼国家铝业远期产能目标",
    "inalum_capacity_upgrade_target": "印尼国家铝业升级产能目标",
    "san_ciprian_utilisation_before_halt": "圣西普里安铝厂停产前产能利用率",
    "san_ciprian_utilisation_restart_from": "圣西普里安铝厂复产起始利用率",
    "domestic_pb50_lead_concentrate_tc_high": "国产Pb50铅精矿加工费（高位）",
    "domestic_pb50_lead_concentrate_tc_low": "国产Pb50铅精矿加工费（低位）",
    "imported_lead_concentrate_tc_high": "进口铅精矿加工费（高位）",
    "imported_lead_concentrate_tc_low": "进口铅精矿加工费（低位）",
    "shfe_lead_most_traded_price": "沪铅主力合约价格",
    "shfe_lead_most_traded_price_high": "沪铅主力合约月内高点",
    "jinchuan_nickel_premium_avg": "金川镍升水",
    "refined_nickel_spot_price_avg": "精炼镍现货价格",
    "refined_nickel_spot_trading_volume": "精炼镍现货成交量",
    "jiangxi_scrap_tin_circulation": "江西废锡流通量",
    "myanmar_share_of_tin_concentrate_imports": "缅甸锡矿占锡精矿进口比例",
    "tin_concentrate_imports": "锡精矿进口量",
    "tin_concentrate_imports_myanmar": "自缅甸锡精矿进口量",
    "tin_concentrate_imports_myanmar_metal": "自缅甸锡精矿进口量（金属量）",
    "yunnan_tin_smelter_raw_material_days": "云南锡冶炼厂原料库存天数",
    "stainless_steel_price": "不锈钢价格",
    "titanium_dioxide_price": "钛白粉价格",
    "titanium_dioxide_producer_inventory": "钛白粉厂家库存",
    "titanium_sponge_inventory_days": "海绵钛库存天数",
    "indonesia_saprolite_ore_premium": "印尼红土镍矿升水",
}


# What each series is (survey.AuxiliarySeries.kind); any series not named here is a price
# (a monthly average). A bound of a range is a ``range``; days of cover are a ratio.
KINDS = {
    "port_copper_concentrate_inventory": "stock",
    "copper_anode_imports": "flow",
    "san_ciprian_utilisation_restart_from": "ratio",
    "san_ciprian_utilisation_before_halt": "ratio",
    "inalum_capacity": "fact",
    "inalum_capacity_upgrade_target": "fact",
    "inalum_capacity_long_term_target": "fact",
    "borneo_alumindo_prima_capacity": "fact",
    "borneo_alumina_indonesia_capacity": "fact",
    "borneo_alumina_indonesia_operating_rate": "ratio",
    "bintan_alumina_phase3_capacity": "fact",
    "shfe_lead_most_traded_price_high": "range",
    "imported_lead_concentrate_tc_low": "range",
    "imported_lead_concentrate_tc_high": "range",
    "domestic_pb50_lead_concentrate_tc_low": "range",
    "domestic_pb50_lead_concentrate_tc_high": "range",
    "tin_concentrate_imports": "flow",
    "tin_concentrate_imports_myanmar_metal": "flow",
    "tin_concentrate_imports_myanmar": "flow",
    "myanmar_share_of_tin_concentrate_imports": "ratio",
    "yunnan_tin_smelter_raw_material_days": "ratio",
    "titanium_sponge_inventory_days": "ratio",
    "tungsten_mining_quota_first_batch": "fact",
    "refined_nickel_spot_trading_volume": "flow",
    "titanium_dioxide_producer_inventory": "stock",
    "cobalt_intermediate_smelter_inventory": "stock",
    "jiangxi_scrap_tin_circulation": "flow",
}


def kind_of(code: str, unit: str) -> str:
    """The declared kind of a demo series; a kind its unit or code contradicts is a bug here."""
    kind = KINDS.get(code, "price")
    problems = kind_problems(kind, code, unit)
    if problems:
        raise ValueError(f"demo market series {code!r}: {'; '.join(problems)}")
    return kind


# June 2025 levels of the series whose level the report does not state: plausible orders of
# magnitude for the market (docs/demo.md lists them as assumptions), never quoted as real.
ASSUMED_LEVELS = {
    "copper_anode_imports": 80_000.0,  # mt a month
    "sulphuric_acid_price": 700.0,  # yuan/mt, smelter acid
    "high_grade_npi_price": 915.0,  # yuan/mtu Ni
    "indonesia_saprolite_ore_premium": 24.0,  # USD/wmt
    "emd_price": 11_500.0,  # yuan/mt
    "chrome_ore_spot_price": 55.0,  # yuan/dmtu
    "stainless_steel_price": 12_700.0,  # yuan/mt, 304 cold-rolled
    "titanium_dioxide_price": 13_500.0,  # yuan/mt, rutile
    "tungsten_mining_quota_first_batch": 58_000.0,  # mt WO3, 62,000 a year earlier less 4,000
    "tungsten_concentrate_price": 172_000.0,  # yuan/mt, 65% WO3
    "lithium_carbonate_spot_price": 60_000.0,  # yuan/mt, battery grade
    "cobalt_intermediate_price": 11.5,  # USD/lb payable
    "industrial_map_price": 6_500.0,  # yuan/mt
    "phosphoric_acid_price": 6_800.0,  # yuan/mt, 85% industrial
    "ferrous_sulphate_price": 400.0,  # yuan/mt
    "iron_phosphate_price": 10_500.0,  # yuan/mt, battery grade
    "tin_concentrate_imports_myanmar": 2_000.0,  # mt a month (about 10,000 January to May)
    # Levels the report does not state either, each with its reason in docs/demo.md.
    "refined_nickel_spot_trading_volume": 15_000.0,  # mt a month, about half of the output
    "titanium_dioxide_producer_inventory": 300_000.0,  # mt at month end, about 4 weeks' output
    "ndfeb_scrap_price": 400.0,  # yuan/kg of Pr-Nd content, about 90% of Pr-Nd oxide's price
    "black_mass_price": 2_150.0,  # yuan per lithium point, about 68% of contained Li2CO3
    "cobalt_intermediate_smelter_inventory": 32_000.0,  # mt Co, about 3 months of smelters' use
    "jiangxi_scrap_tin_circulation": 1_500.0,  # mt tin content a month
    "npi_smelter_ore_cost": 600.0,  # yuan/mtu Ni, two thirds of the NPI price
}
# A drift the assumed series follow from a month on (% a month), where the seed says which way
# they went for longer than June: cobalt intermediates drawn down since the DRC's export ban
# (from 22 February 2025), TiO2 producers' stocks building all year, Philippine ore dearer
# through the second quarter, Jiangxi's scrap tin thinning over the year to June (its fall of
# more than 30% on a year earlier spread over the twelve months, not taken in June alone).
ASSUMED_TRENDS = {
    "jiangxi_scrap_tin_circulation": ("2024-07", -3.2),
    "cobalt_intermediate_smelter_inventory": ("2025-03", -6.0),
    "titanium_dioxide_producer_inventory": ("2025-01", 2.0),
    "npi_smelter_ore_cost": ("2025-03", 2.0),
}
# Series the demo cannot give a credible level (no stated level, no known order of
# magnitude): not generated, so never printed. None at present: every series the report
# quotes has a stated level or an assumed one (docs/demo.md).
DROPPED: frozenset[str] = frozenset()
# Shares of two series (numerator, denominator): their months are the shares of the two
# series' months, their year to date the share of the sums (engine.auxiliary.share_of_sums).
SHARES = {
    "myanmar_share_of_tin_concentrate_imports": ("tin_concentrate_imports_myanmar", "tin_concentrate_imports"),
}
# The analysts' outlooks the report states for July (source, and what it is in both
# languages); the value is June's moved by the statement's change (its target's aim).
OUTLOOK_SOURCES = {
    "sulphuric_acid_price": ("contracts", "smelters' acid sales contracts for July", "冶炼厂7月硫酸销售合同"),
    "indonesia_saprolite_ore_premium": ("market", "Indonesian ore traders' July offers", "印尼矿商7月报价"),
}


# English names the code does not spell (the basis a price is quoted on, said once in the name
# rather than after every number).
NAMES = {"ndfeb_scrap_price": "NdFeB scrap price (Pr-Nd content)"}


def _name(code: str) -> str:
    """The English name of a series from its code; a price is the month's average by its kind,
    so a code's ``_avg`` is not said again (``refined_nickel_spot_price_avg``: "Refined nickel
    spot price")."""
    if code in NAMES:
        return NAMES[code]
    code = code.removesuffix("_avg")
    words = code.replace("_", " ")
    for short, full in (
        ("tc", "TC"),
        ("shfe", "SHFE"),
        ("npi", "NPI"),
        ("map", "MAP"),
        ("ndfeb", "NdFeB"),
        ("hc", "high-carbon"),
        ("emd", "EMD"),
        ("pb50", "Pb50"),
        ("wo3", "WO3"),
        ("san ciprian", "San Ciprián"),
        ("tsingshan", "Tsingshan"),
        ("jinchuan", "Jinchuan"),
        ("phase3", "phase III"),
        ("high grade", "high-grade"),
        ("long term", "long-term"),
    ):
        words = re.sub(rf"\b{short}\b", full, words)
    return words[:1].upper() + words[1:]


def _quoted(values: np.ndarray) -> np.ndarray:
    """As a market would quote it: whole units from 100 up, else two decimals."""
    return np.where(np.abs(values) >= 100, np.round(values), np.round(values, 2))


def series_and_observations(targets: Sequence[Target], seed: int) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The series (with a share's numerator and denominator), their observations, and the
    analysts' outlooks for the month after the last (series, month, value, source, detail,
    detail_zh)."""
    by_code: dict[str, list[Target]] = {}
    for t in targets:
        if t.measure == "auxiliary" and t.kind == "actual" and in_months(t) and t.breakdown["series"] not in DROPPED:
            by_code.setdefault(t.breakdown["series"], []).append(t)
    # A share's year to date and its numerator's sum set the denominator's sum (Myanmar's
    # ~10,000 mt at about a quarter of all tin concentrate imports: about 40,000 mt January to
    # May). The months before the last stated one share what its own level leaves: the one
    # before it 1/1.4 of it (a rebound of 40%), the others evenly (each within 10%).
    for share_code, (num, den) in SHARES.items():
        for t in by_code.get(share_code, []):
            sums = [
                n for n in by_code.get(num, []) if n.statistic == t.statistic == "ytd_level" and n.period == t.period
            ]
            last = [n for n in by_code.get(den, []) if n.statistic == "level" and n.period == t.period.split("..")[1]]
            if sums and last:
                first, end = timeline.span(t.period)
                total = admitted(sums[0]).aim * 100.0 / admitted(t).aim
                before = admitted(last[0]).aim / 1.4
                rest = (total - admitted(last[0]).aim - before) / (end - first - 1)
                for month_i, month_level in [(end - 1, before), *((k, rest) for k in range(first, end - 1))]:
                    by_code[den].append(
                        last[0].model_copy(
                            update={
                                "period": timeline.LABELS[month_i],
                                "value": month_level,
                                "resolution": 0.2 * month_level,
                                "hedge": "approximately",
                                "about": f"{t.about}: the month's imports it implies",
                            }
                        )
                    )
    # a series the report only gives an outlook for still needs its months (ASSUMED_LEVELS)
    first_said: dict[str, Target] = {}
    for t in targets:
        only = t.breakdown.get("series", "") if t.measure == "auxiliary" else ""
        if only in OUTLOOK_SOURCES and only not in by_code:
            first_said.setdefault(only, t)
            by_code.setdefault(only, [])
    series_rows = []
    obs_rows: list[tuple[str, date, float, str]] = []
    solved: dict[str, np.ndarray] = {}
    # the parts of a share first, so that the share is theirs
    for code, ts in sorted(by_code.items(), key=lambda item: item[0] in SHARES):
        rng = np.random.default_rng((seed + zlib.crc32(code.encode())) % 2**32)
        said = ts[0] if ts else first_said[code]
        unit = _unit(said.about, code)
        kind = kind_of(code, unit)
        values: np.ndarray
        if code in SHARES:
            part, whole = (solved[c] for c in SHARES[code])
            values = np.round(100.0 * part / whole, 2)
        else:
            values = _quoted(
                _solve(ts, rng, ASSUMED_LEVELS.get(code), fact=kind == "fact", trend=ASSUMED_TRENDS.get(code))
            )
        solved[code] = values
        numerator, denominator = SHARES.get(code, ("", ""))
        series_rows.append(
            (
                code,
                _name(code),
                NAMES_ZH.get(code, ""),
                unit,
                kind,
                said.product,
                said.about,
                True,
                numerator,
                denominator,
            )
        )
        for i in range(FIRST, timeline.N):
            m = timeline.MONTHS[i]
            if m > timeline.LAST and not any(timeline.span(t.period)[1] == i for t in ts):
                continue
            obs_rows.append((code, month_end(m), float(values[i]), ""))
    series = pl.DataFrame(
        series_rows,
        orient="row",
        schema={
            "code": pl.Utf8,
            "name": pl.Utf8,
            "name_zh": pl.Utf8,
            "unit": pl.Utf8,
            "kind": pl.Utf8,
            "product": pl.Utf8,
            "description": pl.Utf8,
            "highlighted": pl.Boolean,
            "numerator": pl.Utf8,
            "denominator": pl.Utf8,
        },
    )
    observations = pl.DataFrame(
        obs_rows, orient="row", schema={"series": pl.Utf8, "date": pl.Date, "value": pl.Float64, "note": pl.Utf8}
    )
    return series, observations, _outlooks(targets, solved)


def _outlooks(targets: Sequence[Target], solved: dict[str, np.ndarray]) -> pl.DataFrame:
    """July's outlooks: June's value moved by the change the report states for July."""
    rows = []
    for t in targets:
        code = t.breakdown.get("series") if t.measure == "auxiliary" else None
        if t.kind != "forecast" or code not in OUTLOOK_SOURCES or t.statistic != "mom_pct" or code not in solved:
            continue
        june = float(solved[code][timeline.T_LAST])
        value = float(_quoted(np.array([june * (1.0 + admitted(t).aim / 100.0)]))[0])
        source, detail, detail_zh = OUTLOOK_SOURCES[code]
        rows.append((code, timeline.MONTHS[timeline.T_LAST + 1], value, source, detail, detail_zh))
    return pl.DataFrame(
        rows,
        orient="row",
        schema={
            "series": pl.Utf8,
            "month": pl.Date,
            "value": pl.Float64,
            "source": pl.Utf8,
            "detail": pl.Utf8,
            "detail_zh": pl.Utf8,
        },
    )


def drift(start: str, pct: float) -> np.ndarray:
    """A path's factor for a steady move of ``pct`` % a month from ``start`` on (1 before it):
    from 2025-03 at -6, February 1, March 0.94, April 0.94²."""
    steps = np.clip(np.arange(timeline.N) - timeline.index(start) + 1, 0, None)
    factor: np.ndarray = (1.0 + pct / 100.0) ** steps
    return factor


def _solve(
    ts: Sequence[Target],
    rng: np.random.Generator,
    assumed: float | None = None,
    *,
    fact: bool = False,
    trend: tuple[str, float] | None = None,
) -> np.ndarray:
    """The series' path through its statements; a fact (a capacity, a target) holds still
    unless a statement moves it; a ``trend`` (from a month, % a month) bends the prior."""
    levels = [admitted(t).aim for t in ts if t.statistic == "level"]
    shift = 0.0
    if levels and min(levels) <= 0:
        shift = 3.0 * max(abs(min(levels)), 1.0)
    anchor = (levels[0] + shift) if levels else (assumed or 100.0)
    if anchor <= 0:
        anchor = 100.0
    walk = np.cumprod(1.0 + rng.normal(0.0, 0.012, timeline.N) * (0.0 if fact else 1.0))
    if trend is not None:
        walk = walk * drift(trend[0], trend[1])
    prior = anchor * walk / walk[timeline.T_LAST]
    conds = []
    for t in ts:
        r = admitted(t)
        lo, hi, aim = r.lo, r.hi, r.aim
        if t.statistic in ("level", "ytd_level"):
            k = 1 if t.statistic == "level" else (timeline.span(t.period)[1] - timeline.span(t.period)[0] + 1)
            lo, hi, aim = lo + shift * k, hi + shift * k, aim + shift * k
        elif shift and t.statistic in ("mom_pct", "yoy_pct", "ytd_pct"):
            continue
        conds.append(paths.condition(t.where, "x", t.statistic, t.period, lo, hi, aim=aim))
    sol = paths.solve({"x": prior}, conds, floor=0.01)
    return sol.paths["x"] - shift

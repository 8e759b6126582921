"""The market paragraph's facts: each market series quoted for the product as its kind asks
(a price, a range, a flow, a stock, a ratio or a fact)."""

from __future__ import annotations

from typing import Any

from metalstat.catalog import Product
from metalstat.engine.auxiliary import change, monthly_values, range_partner, series_month, share_of_sums
from metalstat.report.drafting.base import Draft, month_end
from metalstat.report.figureset import shift_month
from metalstat.report.inputs import AuxiliaryOutlook
from metalstat.report.language import Language


def market_series(d: Draft, p: Product) -> list[dict[str, Any]]:
    """Market series quoted for the product, month by month like the figures export:
    a month's value is its last observation; changes are against the previous month and
    the same month a year earlier; a value already set for next month is quoted too, and
    an analyst's outlook for next month with its source; a share of two flows gets the share
    of their January-to-month sums."""
    lang = d.lang
    out = []
    for series in d.inp.auxiliary:
        if series.product != p.code:
            continue
        by_month = {}
        for o in sorted(series.observations, key=lambda o: o.date):
            by_month[f"{o.date.year:04d}-{o.date.month:02d}"] = o
        # the month's value, or the latest of the two months before (customs data lag)
        month = next((m for m in (shift_month(d.t, -k) for k in range(3)) if m in by_month), None)
        if month is None:
            continue
        cur = by_month[month]
        values = monthly_values((o.date, o.value) for o in series.observations)
        stated = series_month(values, cur.date.replace(day=1), unit=series.unit, kind=series.kind)
        assert stated is not None
        before = by_month.get(shift_month(month, -1))
        nxt = by_month.get(d.figs.next) if month == d.t else None
        next_abs, next_pct = change(nxt.value if nxt else None, cur.value)
        # a January-to-month sum is worth quoting from February on
        ytd = stated.ytd if cur.date.month > 1 else None
        share = None
        if series.parts and cur.date.month > 1:
            num, den = (monthly_values((o.date, o.value) for o in obs) for obs in series.parts)
            share = share_of_sums(num, den, cur.date.replace(day=1))
        outlook = next((o for o in series.outlooks if f"{o.month:%Y-%m}" == d.figs.next), None)
        unit = lang.term("units", series.unit)
        unit_code = series.unit.split(" ")[0]  # "mt metal" scales as mt
        out.append(
            {
                "code": series.code,
                "kind": series.kind,
                "series_name": series.name,
                "unit_code": series.unit,
                "name": lang.name_of(series),
                "unit": unit,
                "value": cur.value,
                "date": cur.date,
                "at_month_end": cur.date == month_end(month),
                "note": cur.note,
                "previous": before.value if before else None,
                "mom_abs": stated.mom_abs,
                "mom_pct": stated.mom_pct,
                "yoy_abs": stated.yoy_abs,
                "yoy_pct": stated.yoy_pct,
                "month": month,
                "previous_month": shift_month(month, -1),
                "ytd": ytd,
                "ytd_span": f"{month[:4]}-01..{month}",
                "next_value": nxt.value if nxt else None,
                "next_mom_abs": next_abs,
                "next_mom_pct": next_pct,
                "ytd_share": share,  # a share of two flows' January-to-month sums
                "outlook": outlook_facts(lang, outlook, cur.value) if month == d.t else None,
                # a quoted market figure is shown as measured, not rounded like an estimate
                "fmt": lambda x, u=unit, code=unit_code: lang.measured(x, code, u),
            }
        )
    return join_ranges(out)


def outlook_facts(lang: Language, o: AuxiliaryOutlook | None, current: float) -> dict[str, Any] | None:
    """An analyst's outlook for next month, its change on this month and its source."""
    if o is None:
        return None
    mom_abs, mom_pct = change(o.value, current)
    source = lang.term("outlook_sources", o.source)
    return {
        "value": o.value,
        "mom_abs": mom_abs,
        "mom_pct": mom_pct,
        "source": source,
        "detail": lang.field(o, "detail"),
    }


def join_ranges(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A range split into two series (``x_low``, ``x_high``) is quoted once: beside the
    series it bounds (``x``, as its high or low of the month), or as a range of its own
    named by what the two names share."""
    codes = {a["code"]: a for a in items}
    out: list[dict[str, Any]] = []
    for a in items:
        partner = range_partner(a["code"]) if a["kind"] == "range" else None
        if partner is None:
            out.append(a)
            continue
        side, base = partner
        if base in codes:
            codes[base][side] = a["value"]
            continue
        if side == "high" and base + "_low" in codes:
            continue  # quoted with its low
        high = codes.get(base + "_high")
        if side == "low" and high is not None and high["month"] == a["month"]:
            name = shared_start(a["name"], high["name"]).rstrip(" （(")
            out.append({**a, "kind": "range", "name": name, "low": a["value"], "high": high["value"]})
        else:
            out.append(a)
    return out


def shared_start(a: str, b: str) -> str:
    """The characters two names begin with ("Pb50 TC low", "Pb50 TC high": "Pb50 TC ")."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]

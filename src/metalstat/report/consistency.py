"""Does every statement of a drafted report check out against its vintage?

``check_report(report, inp)`` reads the facts each product section was drafted from (what the
paragraphs may state) beside the vintage's figures and returns a ``Problem`` for each
statement that contradicts another or the figures:

- ``count_sum``: producer counts by reported status add up to the sample the sentence names;
  a count's change is no larger than the sample and leaves no negative count last month.
- ``count_base``: counts of producers that lowered or raised output are out of the producers
  compared (the denominator their shares use), and together no more than that.
- ``one_family``: one family of producer counts per section: by reported status or by change
  of daily output, never both (they count different things and may point different ways).
- ``count_direction``: the change counts are on daily output; where the daily average moved
  beyond "flat", more producers did not move the other way.
- ``content``: metal and physical content of a product of fixed formula move alike and keep
  the catalog's metal factor.
- ``partition``: shares of a partition add to 100 and its parts to the total.
- ``range``: no quoted value lies outside its own range (a rate or share within 0..100, a
  price between its own low and high of the month).
- ``stock_sum``: no stock (an end-of-month inventory) is summed over months.
- ``reason_direction``: the reason the headline gives for the month's move pushes output the
  way it moved (a stoppage or cut for a fall, new capacity for a rise; judged on the daily
  average when the two months' days differ, as the hedge words are), is given for no move
  that prints as flat, and is not named again among the other reasons.

Pure: no Django. ``metalstat report --check`` runs it over a release.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from metalstat.catalog import Catalog, Product
from metalstat.catalog.hedges import FLAT_BAND, direction_of
from metalstat.engine.auxiliary import range_partner
from metalstat.report.drafting import Report, draft_report
from metalstat.report.figureset import FigureSet
from metalstat.report.inputs import ReportInput

CHECKS = (
    "count_sum",
    "count_base",
    "one_family",
    "count_direction",
    "content",
    "partition",
    "range",
    "stock_sum",
    "reason_direction",
)
# A printed share is rounded to 2 decimals: each part may be off by half a step.
SHARE_STEP = 0.01
# Metal and physical % changes of a fixed formula agree to this (in % points).
CONTENT_PCT_TOLERANCE = 0.01
# The metal/physical ratio of a fixed formula keeps the catalog's factor to this (relative).
CONTENT_FACTOR_TOLERANCE = 0.02
# Relative tolerance for parts adding up to their total (float arithmetic only).
SUM_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Problem:
    product: str
    check: str
    message: str

    def __str__(self) -> str:
        return f"{self.product}: [{self.check}] {self.message}"


def check_input(inp: ReportInput, langs: Iterable[str]) -> list[Problem]:
    """Draft the report of ``inp`` in each language and check every draft (a problem found
    in several languages is listed once)."""
    figures = FigureSet(inp.figures, inp.period)
    seen: dict[tuple[str, str, str], Problem] = {}
    for lang in langs:
        for problem in check_report(draft_report(inp, lang, figures), inp.catalog):
            seen.setdefault((problem.product, problem.check, problem.message), problem)
    return list(seen.values())


def check_report(report: Report, catalog: Catalog) -> list[Problem]:
    """Every problem of a drafted report, product by product in report order."""
    out: list[Problem] = []
    for section in report.sections:
        if section.facts:
            out.extend(check_facts(catalog.get(section.code), section.facts))
    return out


def check_facts(p: Product, facts: Mapping[str, Any]) -> list[Problem]:
    """The problems of one product section, from the facts it was drafted from."""
    found: list[tuple[str, str]] = []
    found += _counts(facts.get("counts") or {}, facts.get("prod") or {}, "")
    fc = facts.get("fc") or {}
    found += _change_counts(fc, fc.get("daily_mom_pct"), "forecast: ")
    found += _content(p, facts)
    found += _partitions(facts)
    found += _ranges(p, facts)
    found += _stocks(facts.get("aux") or [])
    found += _reason(p, facts)
    return [Problem(p.code, check, msg) for check, msg in found]


def _counts(n: Mapping[str, Any], prod: Mapping[str, Any], where: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    statuses = n.get("statuses") or []
    sample = n.get("sample")
    out += _status_counts(statuses, sample, where)
    out += _status_counts(n.get("annex_statuses") or [], sample, f"{where}annex: ")
    changes = _change_counts(n, prod.get("daily_mom_pct"), where)
    out += changes
    if statuses and _has_change_family(n):
        out.append(("one_family", f"{where}producer counts by status and by change of output are both printed"))
    return out


def _status_counts(statuses: Sequence[Mapping[str, Any]], sample: int | None, where: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if not statuses:
        return out
    total = sum(s["count"] for s in statuses)
    if sample is not None and total != sample:
        out.append(("count_sum", f"{where}status counts add up to {total}, the sample holds {sample}"))
    for s in statuses:
        ch = s.get("change")
        if ch is None:
            continue
        if sample is not None and abs(ch) > sample:
            out.append(("count_sum", f"{where}{s['status']}: a change of {ch:+d} producers in a sample of {sample}"))
        if s["count"] - ch < 0:
            msg = f"{where}{s['status']}: {s['count']} now and {ch:+d} leaves a negative count last month"
            out.append(("count_sum", msg))
    return out


def _has_change_family(n: Mapping[str, Any]) -> bool:
    return any(n.get(k) is not None for k in ("reduced", "reduced_n", "increased", "increased_n"))


def _change_counts(n: Mapping[str, Any], daily_pct: float | None, where: str) -> list[tuple[str, str]]:
    if not _has_change_family(n):
        return []
    out: list[tuple[str, str]] = []
    base = n.get("compared") or n.get("sample")
    red, inc = n.get("reduced_n"), n.get("increased_n")
    if base is not None and red is not None and inc is not None and red + inc > base:
        out.append(("count_base", f"{where}{red} lowered and {inc} raised output, out of {base} producers"))
    for what, count, share in (("lowered", red, n.get("reduced")), ("raised", inc, n.get("increased"))):
        if base and count is not None and share is not None and abs(count / base * 100 - share) > SHARE_STEP / 2:
            out.append(
                (
                    "count_base",
                    f"{where}{count} producers {what} output is {count / base * 100:.2f}% of the {base} "
                    f"named, not the {share:.2f}% printed",
                )
            )
    if daily_pct is not None and red is not None and inc is not None and abs(daily_pct) >= FLAT_BAND:
        against = red > inc if daily_pct > 0 else inc > red
        if against:
            out.append(
                (
                    "count_direction",
                    f"{where}daily output {'rose' if daily_pct > 0 else 'fell'} {abs(daily_pct):.2f}% "
                    f"but {red} producers lowered it and {inc} raised it",
                )
            )
    return out


def _content(p: Product, facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    if p.content != "both" or not p.fixed_formula or p.metal_factor is None:
        return []
    out: list[tuple[str, str]] = []
    prod = facts.get("prod") or {}
    for x in facts.get("contents") or []:
        head, other = prod.get("mom_pct"), x.get("mom_pct")
        if head is not None and other is not None and abs(head - other) > CONTENT_PCT_TOLERANCE:
            out.append(
                (
                    "content",
                    f"{p.headline_content} content {head:+.2f}% MoM but {x['content']} content {other:+.2f}% "
                    "for a fixed formula",
                )
            )
        level, other_level = prod.get("level"), x.get("level")
        if level and other_level:
            metal, physical = (level, other_level) if p.headline_content == "metal" else (other_level, level)
            ratio = metal / physical
            if abs(ratio / p.metal_factor - 1) > CONTENT_FACTOR_TOLERANCE:
                out.append(
                    ("content", f"metal is {ratio:.3f} of physical content, the formula gives {p.metal_factor:.3f}")
                )
    return out


def _partitions(facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    prod = facts.get("prod") or {}
    fc = facts.get("fc") or {}
    for groups, total, where in (
        (facts.get("structure") or [], prod.get("level"), ""),
        (fc.get("structure") or [], fc.get("level"), "forecast: "),
    ):
        for g in groups:
            if g.get("kind") != "partition" or g.get("any_hidden"):
                continue
            shares = [i["share"] for i in g["items"]]
            if shares and all(s is not None for s in shares):
                s = sum(shares)
                if abs(s - 100) > SHARE_STEP / 2 * len(shares) + 1e-9:
                    out.append(("partition", f"{where}shares by {g['dimension']} add up to {s:.2f}%"))
            levels = [i["level"] for i in g["items"]]
            if total and levels and all(x is not None for x in levels):
                s = sum(levels)
                if abs(s / total - 1) > SUM_TOLERANCE:
                    msg = f"{where}parts by {g['dimension']} add up to {s:,.1f}, total {total:,.1f}"
                    out.append(("partition", msg))
    return out


def _ranges(p: Product, facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    top = 100.0 * (1 + p.thresholds.capacity_tolerance)
    rates: list[tuple[str, float | None]] = []
    rate = facts.get("rate")
    if rate:
        rates.append(("operating rate", rate.get("level")))
        rates += [(f"operating rate {i['label']}", i["level"]) for g in rate.get("groups", []) for i in g["items"]]
    fc_rate = (facts.get("fc") or {}).get("rate")
    if fc_rate:
        rates.append(("forecast operating rate", fc_rate.get("level")))
    for what, x in rates:
        if x is not None and not 0 <= x <= top:
            out.append(("range", f"{what} {x:.2f}% outside 0..{top:.0f}%"))
    for g in facts.get("structure") or []:
        for i in g["items"]:
            if i.get("share") is not None and not 0 <= i["share"] <= 100:
                out.append(("range", f"share of {i['label']} {i['share']:.2f}% outside 0..100%"))
    n = facts.get("counts") or {}
    for k in ("reduced", "increased"):
        if n.get(k) is not None and not 0 <= n[k] <= 100:
            out.append(("range", f"share of producers {k} {n[k]:.2f}% outside 0..100%"))
    out += _aux_ranges(facts.get("aux") or [])
    return out


def _aux_ranges(aux: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """A value against the low and high of its own range in the same month: low <= value <=
    high, and low <= high."""
    ranges: dict[tuple[str, str], dict[str, Mapping[str, Any]]] = {}
    for a in aux:
        code = a.get("code", "")
        side, base = range_partner(code) or ("value", code)
        ranges.setdefault((base, a["month"]), {})[side] = a
    out: list[tuple[str, str]] = []
    for (_, month), sides in ranges.items():
        ordered = [sides[k] for k in ("low", "value", "high") if k in sides]
        for lo, hi in pairwise(ordered):
            if lo["value"] > hi["value"]:
                out.append(
                    ("range", f"{lo['name']} {lo['value']:,.2f} lies above {hi['name']} {hi['value']:,.2f} in {month}")
                )
    return out


def _stocks(aux: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    return [
        ("stock_sum", f"{a['name']} is a stock, its months are summed to {a['ytd']:,.2f}")
        for a in aux
        if a.get("ytd") is not None and a.get("kind") == "stock"
    ]


def _reason(p: Product, facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The headline's reason against the move it explains: the daily average's change when
    the months' days differ, else the total's, at the product's decimals."""
    reason = facts.get("reason")
    if not reason:
        return []
    prod = facts.get("prod") or {}
    pct = prod.get("mom_pct")
    per_day = facts.get("days") != facts.get("prev_days") and prod.get("daily_mom_pct") is not None
    if per_day:
        pct = prod["daily_mom_pct"]
    moved = "flat" if pct is None else direction_of(round(pct, p.decimals))
    out: list[tuple[str, str]] = []
    what = f"{reason.get('code', '')} in {reason.get('region') or 'no region'}"
    if reason.get("direction") != moved:
        basis = "daily output" if per_day else "output"
        move = "held flat" if moved == "flat" else "rose" if moved == "up" else "fell"
        out.append(
            (
                "reason_direction",
                f"the headline gives {what} (pushing output {reason.get('direction')}), but {basis} {move}",
            )
        )
    if reason.get("kind") == "stoppage":
        again = [
            e
            for e in facts.get("other_events") or []
            if (e.get("code"), e.get("region")) == (reason.get("code"), reason.get("region"))
        ]
        if again:
            out.append(("reason_direction", f"the headline's reason {what} is named again among the other reasons"))
    return out

"""The drivers paragraph's producer counts: one family a section (by reported status, or by
the change of daily output), and where those producers are."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from metalstat.catalog import Product
from metalstat.catalog.vocabulary import RETURN_STATUSES
from metalstat.engine.figures import parse_breakdown
from metalstat.report.drafting.base import Draft, as_int
from metalstat.report.drafting.labels import GEOGRAPHIC_DIMENSIONS, dimension_label, dimension_order, label_value

# Producer counts crossed with a producer domain (province, region, feedstock ...): how many
# statements of "where" a section makes, and how many places may share the largest count
# before the tie says nothing about where producers are.
MAX_DOMAIN_STATEMENTS = 4
MAX_TIED_PLACES = 3


def has_change_family(counts: dict[str, Any]) -> bool:
    """Whether producers lowering or raising output are counted (the engine compares daily
    output of the producers reporting both months)."""
    return any(counts.get(k) is not None for k in ("reduced", "reduced_n", "increased", "increased_n"))


def counts(d: Draft, p: Product) -> dict[str, Any]:
    statuses: list[dict[str, Any]] = []
    every_status = True  # the engine counts every status, zero included
    for status in RETURN_STATUSES:
        key = f"status={status}"
        count = d.v(p, "producer_count", "count", breakdown=key)
        change = d.v(p, "producer_count", "count_change", breakdown=key)
        every_status = every_status and count is not None
        if count is None or (round(count) == 0 and not change):
            continue  # nobody in that status, now or last month: nothing to say
        statuses.append(
            {
                "status": status,
                "label": d.lang.term("statuses", status),
                "label_one": d.lang.term("statuses_one", status),
                "count": round(count),
                "change": as_int(change),
            }
        )
    sample = as_int(d.v(p, "producer_count", "count"))
    unreported = (sample or 0) - sum(s["count"] for s in statuses)
    if statuses and every_status and unreported > 0:
        # A producer that sent no return has no status (its output is imputed); saying so
        # keeps the counts adding up to the sample they are out of.
        statuses.append(
            {
                "status": "unreported",
                "label": d.lang.term("statuses", "unreported"),
                "label_one": d.lang.term("statuses_one", "unreported"),
                "count": unreported,
                "change": None,
            }
        )
    prev = d.figs.previous
    out: dict[str, Any] = {
        "sample": sample,
        "provinces": as_int(d.v(p, "province_count", "count")),
        "statuses": statuses,
        "annex_statuses": [],
        "reduced": d.v(p, "producer_share", "level", breakdown="change=reduced"),
        "reduced_prev": d.v(p, "producer_share", "level", breakdown="change=reduced", period=prev),
        "increased": d.v(p, "producer_share", "level", breakdown="change=increased"),
        "increased_prev": d.v(p, "producer_share", "level", breakdown="change=increased", period=prev),
        "reduced_n": as_int(d.v(p, "producer_count", "count", breakdown="change=reduced")),
        "increased_n": as_int(d.v(p, "producer_count", "count", breakdown="change=increased")),
        "compared": as_int(d.v(p, "producer_count", "count", breakdown="change=compared")),
        "where": domain_counts(d, p, kind="actual", period=d.t),
    }
    # One family of counts a section: by reported status where the catalog says so (a
    # sample of whom most stopped or cut), else the change of daily output, which
    # explains the level (counts by status only where no change can be counted).
    if p.producer_counts == "status" and out["statuses"]:
        keys = ("reduced", "reduced_prev", "increased", "increased_prev", "reduced_n", "increased_n", "compared")
        out.update(dict.fromkeys(keys))
        out["where"].update(reduced=None, increased=None)
    elif has_change_family(out):
        # The page counts changes; the reported statuses (how many commissioning, halted...)
        # are still figures a reader may look up, so the data annex states them.
        out["annex_statuses"], out["statuses"] = out["statuses"], []
        out["where"]["status"] = []
    return out


def forecast_counts(d: Draft, p: Product, period: str) -> dict[str, Any]:
    """Producers planning lower or higher output next month, and where they are."""
    fck = {"kind": "forecast", "period": period}
    return {
        "reduced": d.v(p, "producer_share", "level", breakdown="change=reduced", **fck),
        "increased": d.v(p, "producer_share", "level", breakdown="change=increased", **fck),
        "reduced_n": as_int(d.v(p, "producer_count", "count", breakdown="change=reduced", **fck)),
        "increased_n": as_int(d.v(p, "producer_count", "count", breakdown="change=increased", **fck)),
        "compared": as_int(d.v(p, "producer_count", "count", breakdown="change=compared", **fck)),
        "where": domain_counts(d, p, kind="forecast", period=period),
    }


def domain_counts(d: Draft, p: Product, *, kind: str, period: str) -> dict[str, Any]:
    """Where the producers counted by status or by change of output are, from the counts
    crossed with a producer domain (``province=Yunnan;status=commissioning``).

    One statement per status and per direction of change: the domain value holding most
    of those producers (ties named together, up to MAX_TIED_PLACES). With several
    domains (region and province) the largest count wins, then the fewer places named,
    then the finer domain, so the same producers are never placed twice. A tie across
    every place that has such producers says nothing and is left out, as are "normal"
    (no driver) and a residual value "other". Statements are ranked by count, largest
    first, then by the share of the status they hold; MAX_DOMAIN_STATEMENTS are kept. A
    statement is made only beside the overall count it details, never on its own.
    """
    lang = d.lang
    kw = {"kind": kind, "period": period}
    cells: dict[tuple[str, str], dict[str, dict[str, int]]] = defaultdict(dict)
    for key, parts in d.figs.breakdowns(p.code, "producer_count", **kw).items():
        axis: str | None = next((a for a in ("change", "status") if a in parts), None)
        if axis is None or len(parts) != 2:
            continue
        (dim,) = (x for x in parts if x != axis)
        value = parts[dim]
        if dim == "size_class" or parts[axis] == "normal" or value.lower() == "other":
            continue
        n = as_int(d.v(p, "producer_count", "count", breakdown=key, **kw))
        if n is not None and n > 0:
            cells[(axis, parts[axis])].setdefault(dim, {})[value] = n
    statements: list[dict[str, Any]] = []
    for (axis, what), by_dim in cells.items():
        total = as_int(d.v(p, "producer_count", "count", breakdown=f"{axis}={what}", **kw))
        if not total:
            continue
        best: tuple[tuple[int, int, int], str, list[str], int] | None = None
        for dim, values in by_dim.items():
            top = max(values.values())
            ordered = dimension_order(p, dim, [f"{dim}={v}" for v in values])
            places = [parse_breakdown(k)[dim] for k in ordered]
            places = [v for v in places if values[v] == top]
            if len(places) > MAX_TIED_PLACES or 1 < len(places) == len(values):
                continue
            rank = (top, -len(places), len(values))
            if best is None or rank > best[0]:
                best = (rank, dim, places, top)
        if best is None:
            continue
        _, dim, places, n = best
        one = n == 1 and len(places) == 1
        # words for a status; a change's direction is worded by the templates
        words = {"label": "", "verb": "", "planned": ""}
        if axis == "status":
            words = {
                "label": lang.term("statuses", what),
                "verb": lang.term("statuses_one" if one else "statuses", what),
                "planned": lang.term("statuses_planned_one" if one else "statuses_planned", what),
            }
        statements.append(
            {
                "axis": axis,
                "key": what,
                "n": n,
                "total": total,
                "share": n / total * 100,
                "places": [label_value(lang, p, dim, v) for v in places],
                "geo": dim in GEOGRAPHIC_DIMENSIONS,
                "dimension": dim,
                "dimension_label": dimension_label(lang, p, dim),
                # every producer of that status (or change) is in this one place
                "all": n == total and len(places) == 1,
                **words,
            }
        )
    order = {s: i for i, s in enumerate(("reduced", "increased", *RETURN_STATUSES))}
    statements.sort(key=lambda s: (-s["n"], -s["share"], order.get(s["key"], 99)))
    kept = statements[:MAX_DOMAIN_STATEMENTS]
    # statuses whose producers are in the same places are said together ("in Yunnan, 3 cut
    # output and 2 were commissioning"), in the order of their first statement
    groups: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}
    for s in kept:
        if s["axis"] == "status":
            group = groups.setdefault(
                (s["dimension"], tuple(s["places"])),
                {k: s[k] for k in ("places", "geo", "dimension", "dimension_label")},
            )
            group.setdefault("items", []).append(s)
    return {
        "status": list(groups.values()),
        "reduced": next((s for s in kept if s["axis"] == "change" and s["key"] == "reduced"), None),
        "increased": next((s for s in kept if s["axis"] == "change" and s["key"] == "increased"), None),
    }

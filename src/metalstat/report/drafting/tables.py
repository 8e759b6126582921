"""The report's tables: a product's key figures, the overview, the forecast record and the
sample table. A cell shows only what may be shown, with the status letter beside it that
its reading needs (the legend explains each letter used)."""

from __future__ import annotations

from typing import Any

from metalstat.catalog import Product
from metalstat.report.drafting.base import Draft
from metalstat.report.drafting.model import Cell, Table
from metalstat.report.figureset import Fig

# The overview's % changes, one style for every product of a column.
OVERVIEW_PCT_DECIMALS = 2


def cell(d: Draft, fig: Fig | None, text: str, quiet: tuple[str, ...] = ("A", "P")) -> Cell:
    """A table cell; statuses in ``quiet`` are not marked (a column header says them). A
    provisional month is said once, in the legend, not marked on every cell."""
    if fig is None:
        return Cell("")
    if fig.suppressed:
        d.statuses_used.add(fig.conf_status)
        return Cell(d.lang.setting("missing", "—"), fig.conf_status)
    if fig.withheld:
        d.statuses_used.add("U")
        return Cell(d.lang.setting("missing", "—"), "U")
    if fig.status == "P":
        d.statuses_used.add("P")  # explained once in the legend
    status = fig.status if fig.status not in ("", *quiet) else ""
    if status:
        d.statuses_used.add(status)
    return Cell(text, status)


def key_table(d: Draft, p: Product, ctx: dict[str, Any]) -> Table:
    lang = d.lang
    figs = d.figs
    dec = p.decimals
    t, nxt = d.t, figs.next
    rows: list[tuple[Cell, ...]] = []

    def label(text: str) -> Cell:
        return Cell(text, numeric=False)

    def pct_cell(fig: Fig | None) -> Cell:
        return Cell(lang.spct(fig.shown, dec)) if fig and fig.shown is not None else Cell("")

    def pp_cell(fig: Fig | None) -> Cell:
        return Cell(lang.spp(fig.shown, 2)) if fig and fig.shown is not None else Cell("")

    def level_row(
        name: str, measure: str, bkey: str = "", kind: str = "actual", period: str | None = None, rate: bool = False
    ) -> None:
        lv = figs.get(p.code, measure, "level", breakdown=bkey, kind=kind, period=period)
        if lv is None:
            return
        get = figs.get
        if rate:
            text = lang.pct(lv.shown, 2) if lv.shown is not None else ""
            mom = pp_cell(get(p.code, measure, "pp_mom", breakdown=bkey, kind=kind, period=period))
            yoy = pp_cell(get(p.code, measure, "pp_yoy", breakdown=bkey, kind=kind, period=period))
        else:
            text = ctx["q"](lv.shown) if lv.shown is not None else ""
            mom = pct_cell(get(p.code, measure, "mom_pct", breakdown=bkey, kind=kind, period=period))
            yoy = pct_cell(get(p.code, measure, "yoy_pct", breakdown=bkey, kind=kind, period=period))
        rows.append((label(name), cell(d, lv, text), mom, yoy))

    headline = lang.label("row_production")
    if p.content == "both":
        headline = lang.label("row_content", content=lang.term("contents", p.headline_content))
    level_row(headline, "production")
    for c in ctx["contents"]:
        level_row(lang.label("row_content", content=c["label"]), "production", f"content={c['content']}")
    ytd = figs.get(p.code, "production", "ytd_level", period=figs.ytd)
    if ytd is not None and not t.endswith("-01"):
        ytd_pct = figs.get(p.code, "production", "ytd_pct", period=figs.ytd)
        rows.append(
            (
                label(lang.label("row_ytd", span=lang.span(figs.ytd))),
                cell(d, ytd, ctx["q"](ytd.shown)),
                Cell(""),
                pct_cell(ytd_pct),
            )
        )
    if ctx["rate"] is not None:
        # the rates by size class or route are in the text and the data annex
        level_row(lang.label("row_rate"), "operating_rate", rate=True)
    for measure, row in (("capacity", "row_capacity"), ("operating_capacity", "row_operating_capacity")):
        cap = figs.get(p.code, measure, "level")
        if cap is not None:
            rows.append(
                (
                    label(lang.label(row)),
                    cell(d, cap, ctx["qy"](cap.shown)),
                    pct_cell(figs.get(p.code, measure, "mom_pct")),
                    Cell(""),
                )
            )
    level_row(lang.label("row_forecast", month=lang.month(nxt, short=True)), "production", kind="forecast", period=nxt)
    if ctx["fc"]["rate"] is not None:
        level_row(
            lang.label("row_forecast_rate", month=lang.month(nxt, short=True)),
            "operating_rate",
            kind="forecast",
            period=nxt,
            rate=True,
        )
    columns = (lang.label("col_indicator"), lang.month(t, short=True), lang.label("col_mom"), lang.label("col_yoy"))
    return Table(columns, tuple(rows))


def overview_table(d: Draft, products: list[Product]) -> Table:
    lang = d.lang
    rows: list[tuple[Cell, ...]] = []
    anchors = []
    groups: list[tuple[int, str]] = []
    for p in products:
        if p.chain and (not groups or groups[-1][1] != lang.term("chains", p.chain)):
            groups.append((len(rows), lang.term("chains", p.chain)))
        unit = lang.unit(p)
        level = d.f(p, "production", "level")
        dec = p.decimals

        def pc(fig: Fig | None) -> Cell:
            if fig is None:
                return Cell("")
            # the level carries P/E/F; a change only shows what changes its reading. One style
            # in a column of many products: every change to OVERVIEW_PCT_DECIMALS (a product
            # page rounds its own changes to the product's decimals, as its sources do)
            return cell(d, fig, lang.spct(fig.shown, OVERVIEW_PCT_DECIMALS), quiet=("A", "P", "E", "F"))

        if level is not None and level.shown is not None:
            level_cell = cell(d, level, lang.qty(level.shown, p.unit, unit, dec))
        else:
            level_cell = cell(d, level, "")
        rows.append(
            (
                Cell(lang.product_name(p), numeric=False),
                level_cell,
                pc(d.f(p, "production", "mom_pct")),
                pc(d.f(p, "production", "daily_mom_pct")),
                pc(d.f(p, "production", "yoy_pct")),
                pc(d.f(p, "production", "mom_pct", kind="forecast", period=d.figs.next)),
            )
        )
        anchors.append(f"p-{p.code}")
    columns = (
        lang.label("col_product"),
        lang.month(d.t, short=True),
        lang.label("col_mom"),
        lang.label("col_daily_mom"),
        lang.label("col_yoy"),
        lang.label("col_forecast_mom", month=lang.month(d.figs.next, short=True)),
    )
    return Table(columns, tuple(rows), tuple(anchors), tuple(groups))


def accuracy_table(d: Draft, products: list[Product]) -> Table:
    """Last month's forecast of this month (as its release states it), this estimate, the
    engine's error and its 12-month mean absolute error."""
    lang = d.lang
    rows = []
    kinds = ("actual", "forecast")
    for p in products:
        err = None
        for kind in kinds:
            err = err or d.f(p, "forecast_error", "pct", kind=kind)
        if err is None:
            continue
        mape = next((x for k in kinds if (x := d.v(p, "forecast_error", "mape", kind=k)) is not None), None)
        actual = d.v(p, "production", "level")
        forecast = d.prior.value(p.code, "production", "level", kind="forecast") if d.prior is not None else None
        unit = lang.unit(p)
        rows.append(
            (
                Cell(lang.product_name(p), numeric=False),
                Cell(lang.qty(forecast, p.unit, unit, p.decimals) if forecast else ""),
                Cell(lang.qty(actual, p.unit, unit, p.decimals) if actual else ""),
                cell(d, err, lang.spct(err.shown, 2)),
                Cell(lang.pct(mape, 2) if mape is not None else ""),
            )
        )
    columns = (
        lang.label("col_product"),
        lang.label("col_forecast_made", month=lang.month(d.t, short=True)),
        lang.label("col_actual"),
        lang.label("col_error"),
        lang.label("col_mape"),
    )
    return Table(columns, tuple(rows))


def methodology_table(d: Draft, products: list[Product]) -> Table:
    lang = d.lang
    rows = []
    for p in products:
        sample = d.v(p, "producer_count", "count")
        provinces = d.v(p, "province_count", "count")
        cap = d.v(p, "capacity", "level", breakdown="basis=sample")
        cov = d.v(p, "coverage", "level")
        resp = d.v(p, "response_rate", "level")
        imp = d.v(p, "imputed_share", "level")
        unit = lang.label("per_year", unit=lang.unit(p))
        rows.append(
            (
                Cell(lang.product_name(p), numeric=False),
                Cell(lang.num(sample) if sample is not None else ""),
                Cell(lang.num(provinces) if provinces is not None else ""),
                Cell(lang.qty(cap, p.unit, unit, p.decimals) if cap is not None else ""),
                Cell(lang.pct(cov, 1) if cov is not None else ""),
                Cell(lang.pct(resp, 1) if resp is not None else ""),
                Cell(lang.pct(imp, 1) if imp is not None else ""),
            )
        )
    keys = ("col_product", "col_sample", "col_provinces", "col_sample_capacity", "col_coverage", "col_response")
    columns = tuple(lang.label(k) for k in (*keys, "col_imputed"))
    return Table(columns, tuple(rows))

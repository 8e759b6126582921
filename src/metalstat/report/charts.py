"""Inline SVG charts, written directly: no JavaScript, no network, no plotting library.

One chart per product: the last 13 months of production as bars with next month's forecast
as a lighter bar, the YoY % as a line on the right axis, and (where the product has one) the
operating rate in a small panel underneath.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from metalstat.report.language import Language

BAR = "#2f5d8a"
FORECAST = "#a9c1d9"
YOY = "#c8602a"
RATE = "#2e8b57"
GRID = "#d9dee4"
INK = "#33414e"


@dataclass(frozen=True)
class ChartData:
    months: list[str]
    levels: list[float | None]
    yoy: list[float | None]
    rates: list[float | None] | None
    forecast_month: str
    forecast: float | None
    unit: str
    unit_code: str
    title: str


def nice_ticks(lo: float, hi: float, count: int = 4) -> list[float]:
    """Round tick values covering [lo, hi] (lo <= 0 <= hi is not required)."""
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    ticks = [round(math.floor(lo / step) * step, 10)]
    while ticks[-1] < hi - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _fmt_tick(lang: Language, x: float) -> str:
    decimals = 0 if abs(x - round(x)) < 1e-9 else (1 if abs(x * 10 - round(x * 10)) < 1e-6 else 2)
    return lang.num(x, decimals)


def _scale(lang: Language, unit_code: str, unit: str, peak: float) -> tuple[float, str]:
    for rule in lang.config.get("chart_scale", []):
        units = rule.get("units")
        if units is not None and unit_code not in units:
            continue
        if peak >= rule["min"]:
            return float(rule["divisor"]), str(rule["label"]).format(unit=unit)
    return 1.0, unit


def production_chart(data: ChartData, lang: Language) -> str:
    values = [v for v in data.levels if v is not None]
    if not values:
        return ""
    font = escape(lang.config.get("svg_font", "sans-serif"), quote=True)
    width = 640
    left, right, top = 56, 52, 30
    bars_h = 150
    rate_h = 56 if data.rates else 0
    gap = 34 if data.rates else 0
    axis_h = 30
    height = top + bars_h + axis_h + gap + rate_h + (14 if data.rates else 4)
    plot_w = width - left - right
    slots = len(data.months) + 1
    slot_w = plot_w / slots
    bar_w = slot_w * 0.62

    peak = max(values + ([data.forecast] if data.forecast is not None else []))
    divisor, unit_label = _scale(lang, data.unit_code, data.unit, peak)
    ticks = nice_ticks(0, peak / divisor * 1.05, 5)
    ymax = ticks[-1] * divisor

    def y_bar(v: float) -> float:
        return top + bars_h - (v / ymax) * bars_h if ymax else top + bars_h

    parts: list[str] = []
    add = parts.append
    add(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" font-family="{font}" font-size="10">'
    )
    add(f"<title>{escape(data.title)}</title>")
    # grid and left axis
    for t in ticks:
        y = y_bar(t * divisor)
        add(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.7"/>')
        add(f'<text x="{left - 5}" y="{y + 3:.1f}" text-anchor="end" fill="{INK}">{escape(_fmt_tick(lang, t))}</text>')
    add(f'<text x="4" y="{top - 6}" fill="{INK}" font-size="9">{escape(unit_label)}</text>')
    # bars
    months = [*data.months, data.forecast_month]
    for i, m in enumerate(months):
        x = left + i * slot_w + (slot_w - bar_w) / 2
        v = data.levels[i] if i < len(data.levels) else data.forecast
        if v is not None and v > 0:
            y = y_bar(v)
            forecast = i == len(data.levels)
            fill = FORECAST if forecast else BAR
            extra = ' stroke="#5a7fa6" stroke-dasharray="3 2" stroke-width="0.8"' if forecast else ""
            add(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                f'height="{top + bars_h - y:.1f}" fill="{fill}"{extra}/>'
            )
        cx = left + i * slot_w + slot_w / 2
        year, month = m.split("-")
        add(
            f'<text x="{cx:.1f}" y="{top + bars_h + 13}" text-anchor="middle" fill="{INK}">'
            f"{escape(lang.config.get('month_abbr', [str(k) for k in range(1, 13)])[int(month) - 1])}"
            "</text>"
        )
        if i == 0 or month == "01":
            add(
                f'<text x="{cx:.1f}" y="{top + bars_h + 25}" text-anchor="middle" '
                f'fill="{INK}" font-size="9">{year}</text>'
            )
    add(
        f'<line x1="{left}" y1="{top + bars_h}" x2="{width - right}" y2="{top + bars_h}" '
        f'stroke="{INK}" stroke-width="0.8"/>'
    )
    # YoY line on the right axis
    yoy_points = [(i, v) for i, v in enumerate(data.yoy) if v is not None]
    if yoy_points:
        lo = min(0.0, *(v for _, v in yoy_points))
        hi = max(0.0, *(v for _, v in yoy_points))
        if hi - lo < 1:
            hi += 0.5
            lo -= 0.5
        yt = nice_ticks(lo, hi, 4)
        ylo, yhi = yt[0], yt[-1]

        def y_yoy(v: float) -> float:
            return top + bars_h - (v - ylo) / (yhi - ylo) * bars_h

        for t in yt:
            add(
                f'<text x="{width - right + 5}" y="{y_yoy(t) + 3:.1f}" fill="{YOY}">'
                f"{escape(_fmt_tick(lang, t))}%</text>"
            )
        if ylo < 0 < yhi:
            add(
                f'<line x1="{left}" y1="{y_yoy(0):.1f}" x2="{width - right}" y2="{y_yoy(0):.1f}" '
                f'stroke="{YOY}" stroke-width="0.6" stroke-dasharray="2 2"/>'
            )
        pts = " ".join(f"{left + i * slot_w + slot_w / 2:.1f},{y_yoy(v):.1f}" for i, v in yoy_points)
        add(f'<polyline points="{pts}" fill="none" stroke="{YOY}" stroke-width="1.6"/>')
        for i, v in yoy_points:
            add(f'<circle cx="{left + i * slot_w + slot_w / 2:.1f}" cy="{y_yoy(v):.1f}" r="2.2" fill="{YOY}"/>')
    # legend
    lx: float = left + 60
    legend = [
        ("rect", BAR, lang.label("chart_production")),
        ("rect", FORECAST, lang.label("chart_forecast")),
        ("line", YOY, lang.label("chart_yoy")),
    ]
    if data.rates:
        legend.append(("line", RATE, lang.label("chart_rate")))
    for shape, colour, text in legend:
        if shape == "rect":
            add(f'<rect x="{lx}" y="3" width="10" height="9" fill="{colour}"/>')
        else:
            add(f'<line x1="{lx}" y1="7.5" x2="{lx + 12}" y2="7.5" stroke="{colour}" stroke-width="2"/>')
        add(f'<text x="{lx + 15}" y="11.5" fill="{INK}">{escape(text)}</text>')
        lx += 22 + _text_width(text)
    # operating rate panel
    if data.rates:
        rate_points = [(i, v) for i, v in enumerate(data.rates) if v is not None]
        r_top = top + bars_h + axis_h + gap
        if rate_points:
            lo = min(v for _, v in rate_points)
            hi = max(v for _, v in rate_points)
            rt = nice_ticks(max(0.0, lo - 2), min(100.0, hi + 2) if hi < 100 else hi + 2, 3)
            rlo, rhi = rt[0], rt[-1]

            def y_rate(v: float) -> float:
                return r_top + rate_h - (v - rlo) / (rhi - rlo) * rate_h

            for t in rt:
                add(
                    f'<line x1="{left}" y1="{y_rate(t):.1f}" x2="{width - right}" '
                    f'y2="{y_rate(t):.1f}" stroke="{GRID}" stroke-width="0.7"/>'
                )
                add(
                    f'<text x="{left - 5}" y="{y_rate(t) + 3:.1f}" text-anchor="end" '
                    f'fill="{RATE}">{escape(_fmt_tick(lang, t))}%</text>'
                )
            pts = " ".join(f"{left + i * slot_w + slot_w / 2:.1f},{y_rate(v):.1f}" for i, v in rate_points)
            add(f'<polyline points="{pts}" fill="none" stroke="{RATE}" stroke-width="1.6"/>')
            for i, v in rate_points:
                add(f'<circle cx="{left + i * slot_w + slot_w / 2:.1f}" cy="{y_rate(v):.1f}" r="2" fill="{RATE}"/>')
            add(
                f'<text x="4" y="{r_top - 8}" fill="{RATE}" font-size="9">{escape(lang.label("chart_rate"))} (%)</text>'
            )
    add("</svg>")
    return "".join(parts)


def _text_width(text: str) -> float:
    """A rough width in px at 10px: wide glyphs (CJK) count double."""
    return sum(10.0 if ord(ch) > 0x2E80 else 6.6 for ch in text)

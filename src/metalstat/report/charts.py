"""Inline SVG charts, written directly: no JavaScript, no network, no plotting library.

One chart type for every product, so a reader learns it once (docs/report.md, "The chart"):

1. **Level**: the last 13 months of production as a line on an axis fitted to the data (not
   from zero, so the month's move is visible), next month's forecast as a hollow point on a
   dashed segment. The unit is written once, in the panel's title.
2. **Change**: month-on-month % as bars (next month's forecast MoM as a hollow bar) and
   year-on-year % as a line on the same % axis. The YoY line starts at its first month with
   data, and says so when that is not the chart's first month. The axis covers the values
   inside Tukey's far-out fences (quartiles ± 3 × IQR, always including zero): a value
   beyond the axis is drawn at its edge as a triangle with its value written beside it, so
   one +300 % month cannot flatten the others. Clipping was chosen over a symmetric log
   scale: the bars keep a linear scale a reader can compare by eye.
3. **Operating rate** (products with one): the rate as a line with month labels and next
   month's forecast rate as a hollow point.

The products differ only in whether the third panel is there (the catalog's
``operating_rate`` basis ``none`` has none). Colours are the Okabe–Ito palette, safe for
the common colour-vision deficiencies; forecasts are told apart by shape (hollow, dashed),
not by colour alone. Text uses the language's ``svg_font`` (the CJK font for Chinese).

Seasonal lines (the same month over three years) would need 36 months of history; the
demo keeps 18, so the level-and-change layout is used.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from metalstat.report.language import named_unit

if TYPE_CHECKING:
    from metalstat.report.language import Language

# Okabe & Ito (2008), "Color Universal Design"
LEVEL = "#0072B2"  # blue
MOM = "#56B4E9"  # sky blue
YOY = "#D55E00"  # vermillion
RATE = "#009E73"  # bluish green
GRID = "#d9dee4"
INK = "#33414e"

# Tukey's far-out fences: a value beyond quartile ± FENCE × IQR is clipped on the change axis.
FENCE = 3.0
# Below this many values the quartiles say little and nothing is clipped.
MIN_FOR_CLIPPING = 5
# A value within this many points of the quartiles is never clipped, however tight the rest.
MIN_FENCE = 10.0


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
    # The engine's production mom_pct per month, next month's forecast mom_pct and forecast
    # operating rate (kind forecast). ``mom`` None: the bars are derived from the plotted
    # levels, forecast included (the same definition, Ŷ(t)/Ŷ(t−1) − 1 within one vintage).
    mom: list[float | None] | None = None
    forecast_mom: float | None = None
    forecast_rate: float | None = None


def nice_ticks(lo: float, hi: float, count: int = 4) -> list[float]:
    """Round tick values covering [lo, hi] (lo <= 0 <= hi is not required)."""
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    ticks = [round(math.floor(lo / step + 1e-9) * step, 10)]
    while ticks[-1] < hi - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _quantile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's default, type 7)."""
    pos = (len(sorted_values) - 1) * q
    i = math.floor(pos)
    j = min(i + 1, len(sorted_values) - 1)
    return sorted_values[i] + (sorted_values[j] - sorted_values[i]) * (pos - i)


def robust_range(values: list[float]) -> tuple[float, float]:
    """The span a % axis covers: the values inside Tukey's far-out fences (quartiles ±
    max(3 × IQR, 10 points)), and zero."""
    if not values:
        return 0.0, 0.0
    kept = values
    if len(values) >= MIN_FOR_CLIPPING:
        s = sorted(values)
        q1, q3 = _quantile(s, 0.25), _quantile(s, 0.75)
        reach = max(FENCE * (q3 - q1), MIN_FENCE)
        kept = [v for v in values if q1 - reach <= v <= q3 + reach]
    return min(0.0, *kept), max(0.0, *kept)


def _fmt_tick(lang: Language, x: float) -> str:
    decimals = 0 if abs(x - round(x)) < 1e-9 else (1 if abs(x * 10 - round(x * 10)) < 1e-6 else 2)
    return lang.num(x, decimals)


def _scale(lang: Language, unit_code: str, unit: str, peak: float) -> tuple[float, str]:
    """The divisor and the unit as written on the level axis ("thousand mt", "万吨"). A rule
    names the units it applies to, so a unit that is itself a multiple ("10,000 m²") is never
    multiplied again."""
    for rule in lang.config.get("chart_scale", []):
        units = rule.get("units")
        if units is not None and unit_code not in units:
            continue
        if peak >= rule["min"]:
            return float(rule["divisor"]), str(rule["label"]).format(unit=named_unit(rule, unit_code, unit))
    return 1.0, unit


def _value_label(lang: Language, x: float) -> str:
    """A plotted value with four significant digits or so (1,135; 360.5; 11.2; 7.79)."""
    return lang.num(x, 0 if abs(x) >= 1000 else (1 if abs(x) >= 10 else 2))


def _derived_mom(levels: list[float | None]) -> list[float | None]:
    out: list[float | None] = [None]
    for a, b in itertools.pairwise(levels):
        out.append((b / a - 1) * 100 if a and b is not None else None)
    return out


def _text_width(text: str, size: float = 10.0) -> float:
    """A rough width in px: wide glyphs (CJK) count double."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.62 for ch in text)


class _Svg:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, s: str) -> None:
        self.parts.append(s)

    def text(self, x: float, y: float, s: str, fill: str = INK, **attrs: str | float) -> None:
        extra = "".join(f' {k.rstrip("_").replace("_", "-")}="{v}"' for k, v in attrs.items())
        self.add(f'<text x="{x:.1f}" y="{y:.1f}" fill="{fill}"{extra}>{escape(s)}</text>')

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str, width: float = 0.7, dash: str = "") -> None:
        d = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{stroke}" stroke-width="{width}"{d}/>'
        )

    def series(
        self,
        cls: str,
        colour: str,
        points: list[tuple[float, float, int]],
        line: list[tuple[float, float, int]] | None = None,
    ) -> None:
        """A line through ``line`` (default: the points), broken where a month is missing, and
        a dot on each of ``points`` (x, y, month index)."""
        for run in _runs(line if line is not None else points):
            if len(run) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in run)
                self.add(f'<polyline class="{cls}" points="{path}" fill="none" stroke="{colour}" stroke-width="1.7"/>')
        for x, y, _ in points:
            self.add(f'<circle class="{cls}" cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="{colour}"/>')

    def forecast_point(self, cls: str, colour: str, start: tuple[float, float] | None, at: tuple[float, float]) -> None:
        """Next month's forecast: a hollow point, on a dashed segment from the last month."""
        if start is not None:
            self.line(*start, *at, colour, 1.4, "3 2")
        self.add(
            f'<circle class="{cls}" cx="{at[0]:.1f}" cy="{at[1]:.1f}" r="3" fill="#fff" '
            f'stroke="{colour}" stroke-width="1.4"/>'
        )

    def triangle(self, x: float, y: float, up: bool, fill: str, cls: str = "clipped") -> None:
        h = 5.5 if up else -5.5
        self.add(
            f'<path class="{cls}" d="M{x - 4:.1f},{y:.1f} L{x + 4:.1f},{y:.1f} L{x:.1f},{y - h:.1f} Z" fill="{fill}"/>'
        )


def production_chart(data: ChartData, lang: Language) -> str:
    """The product's chart as one ``<svg>`` element, or "" when it has no production level."""
    values = [v for v in data.levels if v is not None]
    if not values:
        return ""
    font = escape(lang.config.get("svg_font", "sans-serif"), quote=True)
    abbr = lang.config.get("month_abbr", [str(k) for k in range(1, 13)])
    width = 640
    left, right = 58, 40
    plot_w = width - left - right
    months = [*data.months, data.forecast_month]
    n = len(data.months)
    slot_w = plot_w / len(months)

    def cx(i: int) -> float:
        return left + i * slot_w + slot_w / 2

    # panel geometry
    lv_top, lv_h = 34, 96
    ch_top, ch_h = lv_top + lv_h + 40, 84
    months_y = ch_top + ch_h + 12
    rt_top, rt_h = (ch_top + ch_h + 52, 48) if data.rates else (0, 0)
    height = (rt_top + rt_h + 18) if data.rates else (months_y + 16)

    svg = _Svg()
    svg.add(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" font-family="{font}" font-size="10">'
    )
    svg.add(f"<title>{escape(data.title)}</title>")

    # --- 1. level -------------------------------------------------------------------------
    peak = max(values + ([data.forecast] if data.forecast is not None else []))
    low = min(values + ([data.forecast] if data.forecast is not None else []))
    divisor, unit_label = _scale(lang, data.unit_code, data.unit, peak)
    pad = max((peak - low) * 0.12, abs(peak) * 0.01, 1e-9)
    ticks = nice_ticks((low - pad) / divisor, (peak + pad) / divisor, 4)
    lo, hi = ticks[0] * divisor, ticks[-1] * divisor

    def y_lv(v: float) -> float:
        return lv_top + lv_h - (v - lo) / (hi - lo) * lv_h

    for t in ticks:
        y = y_lv(t * divisor)
        svg.line(left, y, width - right, y, GRID)
        svg.text(left - 5, y + 3, _fmt_tick(lang, t), text_anchor="end", class_="tick level")
    title = lang.label("chart_level", unit=unit_label)
    svg.text(4, lv_top - 20, title, font_weight="bold", class_="panel-title")
    x = 4 + _text_width(title) + 14
    svg.add(f'<circle cx="{x:.1f}" cy="{lv_top - 23.5}" r="3" fill="{LEVEL}"/>')
    svg.text(x + 6, lv_top - 20, lang.label("chart_production"))
    x += 6 + _text_width(lang.label("chart_production")) + 12
    svg.add(f'<circle cx="{x:.1f}" cy="{lv_top - 23.5}" r="3" fill="#fff" stroke="{LEVEL}" stroke-width="1.4"/>')
    svg.text(x + 6, lv_top - 20, lang.label("chart_forecast_of", month=lang.month(data.forecast_month, short=True)))
    svg.series("level", LEVEL, [(cx(i), y_lv(v), i) for i, v in enumerate(data.levels) if v is not None])
    last = data.levels[-1]
    if last is not None:
        svg.text(cx(n - 1), y_lv(last) - 7, _value_label(lang, last / divisor), fill=LEVEL, text_anchor="middle")
    if data.forecast is not None:
        start = (cx(n - 1), y_lv(last)) if last is not None else None
        svg.forecast_point("forecast", LEVEL, start, (cx(n), y_lv(data.forecast)))

    # --- 2. change: MoM bars, YoY line --------------------------------------------------------
    mom_all = [*data.mom, data.forecast_mom] if data.mom is not None else _derived_mom([*data.levels, data.forecast])
    yoy = [*data.yoy, None]
    pool = [v for v in mom_all + yoy if v is not None]
    lo_c, hi_c = robust_range(pool)
    if hi_c - lo_c < 1:
        hi_c, lo_c = hi_c + 0.5, lo_c - 0.5
    cticks = nice_ticks(lo_c, hi_c, 4)
    clo, chi = cticks[0], cticks[-1]

    def y_ch(v: float) -> float:
        return ch_top + ch_h - (min(max(v, clo), chi) - clo) / (chi - clo) * ch_h

    for t in cticks:
        svg.line(left, y_ch(t), width - right, y_ch(t), GRID)
        svg.text(left - 5, y_ch(t) + 3, _fmt_tick(lang, t), text_anchor="end", class_="tick change")
    svg.line(left, y_ch(0), width - right, y_ch(0), INK, 0.8)
    title = lang.label("chart_change")
    svg.text(4, ch_top - 12, title, font_weight="bold", class_="panel-title")
    x = 4 + _text_width(title) + 14
    svg.add(f'<rect x="{x - 4:.1f}" y="{ch_top - 20}" width="9" height="9" fill="{MOM}"/>')
    svg.text(x + 8, ch_top - 12, lang.label("chart_mom"))
    x += 8 + _text_width(lang.label("chart_mom")) + 14
    first_yoy = next((i for i, y in enumerate(data.yoy) if y is not None), None)
    if first_yoy is not None:
        yoy_label = lang.label("chart_yoy")
        if first_yoy > 0:  # the line starts later than the chart: say from when
            yoy_label = lang.label("chart_yoy_from", month=lang.month(data.months[first_yoy], short=True))
        svg.line(x - 6, ch_top - 15.5, x + 6, ch_top - 15.5, YOY, 2)
        svg.text(x + 9, ch_top - 12, yoy_label)
        x += 9 + _text_width(yoy_label) + 14
    clipped_any = False
    bar_w = slot_w * 0.56
    for i, mv in enumerate(mom_all):
        if mv is None:
            continue
        v = mv
        y0, y1 = y_ch(0), y_ch(v)
        top_y, h = min(y0, y1), abs(y1 - y0)
        bx = cx(i) - bar_w / 2
        if i == n:
            svg.add(
                f'<rect class="mom forecast" x="{bx:.1f}" y="{top_y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="#fff" stroke="{MOM}" stroke-width="1.2" stroke-dasharray="3 2"/>'
            )
        else:
            svg.add(
                f'<rect class="mom" x="{bx:.1f}" y="{top_y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{MOM}"/>'
            )
        if v > chi or v < clo:
            clipped_any = True
            edge = y_ch(v)
            svg.triangle(cx(i), edge + (6 if v > chi else -6), v > chi, INK)
            svg.text(
                cx(i),
                edge + (16 if v > chi else -9),
                lang.num(v, 1),
                font_size="8.5",
                text_anchor="middle",
                class_="clipped-value",
            )
    ypts = [(i, v) for i, v in enumerate(yoy) if v is not None]
    svg.series(
        "yoy", YOY, [(cx(i), y_ch(v), i) for i, v in ypts if clo <= v <= chi], [(cx(i), y_ch(v), i) for i, v in ypts]
    )
    for i, v in ypts:
        if v > chi or v < clo:
            clipped_any = True
            svg.triangle(cx(i), y_ch(v) + (0.5 if v > chi else -0.5), v > chi, YOY)
            svg.text(
                cx(i) + 6,
                y_ch(v) + (4 if v > chi else -1),
                lang.num(v, 1),
                fill=YOY,
                font_size="8.5",
                class_="clipped-value",
            )
    if clipped_any:
        svg.triangle(x, ch_top - 11, True, INK, "legend")
        svg.text(x + 7, ch_top - 12, lang.label("chart_clipped"), font_size="9")
    # month labels under the change panel, the year under January and the first month
    for i, m in enumerate(months):
        year, month = m.split("-")
        svg.text(cx(i), months_y, abbr[int(month) - 1], text_anchor="middle", class_="month")
        if i == 0 or month == "01":
            svg.text(cx(i), months_y + 11, year, font_size="9", text_anchor="middle")

    # --- 3. operating rate ----------------------------------------------------------------------
    if data.rates:
        rpts = [(i, v) for i, v in enumerate(data.rates) if v is not None]
        rvals = [v for _, v in rpts] + ([data.forecast_rate] if data.forecast_rate is not None else [])
        if rvals:
            rt = nice_ticks(max(0.0, min(rvals) - 2), max(rvals) + 2, 2)
            rlo, rhi = rt[0], rt[-1]

            def y_rt(v: float) -> float:
                return rt_top + rt_h - (v - rlo) / (rhi - rlo) * rt_h

            for t in rt:
                svg.line(left, y_rt(t), width - right, y_rt(t), GRID)
                svg.text(left - 5, y_rt(t) + 3, _fmt_tick(lang, t), text_anchor="end", class_="tick rate")
            title = lang.label("chart_rate_axis")
            svg.text(4, rt_top - 10, title, font_weight="bold", class_="panel-title")
            svg.series("rate", RATE, [(cx(i), y_rt(v), i) for i, v in rpts])
            last_rate = data.rates[-1]
            if last_rate is not None:
                svg.text(
                    cx(n - 1),
                    y_rt(last_rate) - 6,
                    lang.num(last_rate, 1),
                    fill=RATE,
                    text_anchor="middle",
                    font_size="9",
                )
            if data.forecast_rate is not None:
                start = (cx(n - 1), y_rt(last_rate)) if last_rate is not None else None
                svg.forecast_point("rate forecast", RATE, start, (cx(n), y_rt(data.forecast_rate)))
            for i, m in enumerate(months):
                svg.text(
                    cx(i), rt_top + rt_h + 12, abbr[int(m[5:]) - 1], text_anchor="middle", class_="month", font_size="9"
                )
    svg.add("</svg>")
    return "".join(svg.parts)


def _runs(points: list[tuple[float, float, int]]) -> list[list[tuple[float, float, int]]]:
    """Points of consecutive months as runs: a line is never drawn across a missing month."""
    runs: list[list[tuple[float, float, int]]] = []
    for point in points:
        if runs and runs[-1][-1][2] == point[2] - 1:
            runs[-1].append(point)
        else:
            runs.append([point])
    return runs

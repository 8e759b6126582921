"""Number conventions and wording of the report languages, checked against hand-written
expectations."""

from __future__ import annotations

import shutil
from datetime import date
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metalstat.catalog.hedges import admits, describe_change, direction_of
from metalstat.report import draft_report
from metalstat.report.language import available_languages, load_language
from tests.report.fixtures import report_input


@pytest.fixture(scope="module")
def en():
    return load_language("en")


@pytest.fixture(scope="module")
def zh():
    return load_language("zh")


def test_both_languages_are_packaged():
    assert {"en", "zh"} <= set(available_languages())


@pytest.mark.parametrize(
    ("x", "decimals", "text"),
    [
        (1234567.891, 2, "1,234,567.89"),
        (1234567.891, 0, "1,234,568"),
        (-3400.0, 0, "-3,400"),
        (-0.004, 2, "0.00"),  # no "-0.00"
        (2.345, 2, "2.35"),  # half away from zero, despite 2.345 being 2.34499.. in binary
        (-2.345, 2, "-2.35"),
        (999.5, 0, "1,000"),
    ],
)
def test_numbers_en(en, x, decimals, text):
    assert en.num(x, decimals) == text


@pytest.mark.parametrize(
    ("x", "en_text", "zh_text"),
    [
        (3400.0, "3,400 mt", "3400吨"),
        (3412.0, "3,400 mt", "3412吨"),  # English rounds thousands to 100 mt
        (807.4, "807 mt", "807吨"),
        (24_200.0, "24,200 mt", "2.42万吨"),
        (1_138_600.0, "1,138,600 mt", "113.86万吨"),
        (45_690_000.0, "45.69 million mt", "4569.00万吨"),
    ],
)
def test_quantities_in_tonnes(en, zh, x, en_text, zh_text):
    assert en.qty(x, "mt", "mt") == en_text
    assert zh.qty(x, "mt", "吨") == zh_text


def test_ten_thousand_square_metres_read_as_millions_in_english(en, zh):
    # PV film's unit is the Chinese 万平方米: 50,000 of them are 500 million m²
    assert en.qty(50_000.0, "10,000 m²", "10,000 m²") == "500.0 million m²"
    assert en.qty(-4_780.0, "10,000 m²", "10,000 m²") == "-47.8 million m²"
    assert en.qty(1_106_060.0, "10,000 m²", "10,000 m²/year") == "11,060.6 million m²/year"
    assert zh.qty(50_000.0, "10,000 m²", "万平方米") == "50000万平方米"  # no thousands sign in Chinese
    assert en.qty(3400.0, "mt", "mt") == "3,400 mt"  # the rule names its unit only


def test_other_units_keep_decimals(en):
    assert en.qty(12.345, "GW", "GW", 2) == "12.35 GW"
    assert en.qty(12_345.6, "GW", "GW", 2) == "12,346 GW"


def test_percent_and_points(en, zh):
    assert en.pct(-0.2977, 2) == "0.30%"
    assert en.spct(12.934, 2) == "+12.93%"
    assert en.spct(-0.2977, 2) == "-0.30%"
    assert en.pp(-3.06) == "3.06 percentage points"
    assert en.spp(0.19) == "+0.19 pp"
    assert zh.pp(-3.06) == "3.06个百分点"


def test_dates(en, zh):
    assert en.month("2025-06") == "June 2025"
    assert en.span("2025-01..2025-06") == "January–June 2025"
    assert zh.month("2025-06") == "2025年6月"
    assert zh.span("2025-01..2025-07") == "2025年1-7月"
    assert en.date(date(2025, 6, 27)) == "27 June 2025"
    assert zh.date(date(2025, 6, 27)) == "2025年6月27日"


@pytest.mark.parametrize(
    ("pct", "past", "future", "zh_past"),
    [
        (0.3, "held flat", "hold flat", "基本持平"),
        (-0.2977, "held flat", "hold flat", "基本持平"),
        (-1.43, "edged down", "edge down", "小幅下降"),
        (2.31, "edged up", "edge up", "小幅增长"),
        (6.0, "rose markedly", "rise markedly", "明显增长"),
        (-21.5, "dropped sharply", "drop sharply", "大幅下降"),
    ],
)
def test_change_words(en, zh, pct, past, future, zh_past):
    assert en.change(pct, "past") == past
    assert en.change(pct, "future") == future
    assert zh.change(pct, "past") == zh_past


@given(st.floats(min_value=-80, max_value=80, allow_nan=False))
def test_drafted_word_is_admitted_by_the_hedge_rules(x):
    """The verb's hedge is the one the shared rules admit for the number as printed."""
    shown = round(x, 2)
    key = describe_change(shown)
    assert admits(key, None, None, shown, direction_of(shown))
    en = load_language("en")
    word = en.change(x, "past")
    if key == "flat":
        assert word == "held flat"
    elif shown > 0:
        assert word in ("edged up", "rose", "rose markedly", "surged")
    else:
        assert word in ("edged down", "fell", "fell markedly", "dropped sharply")


def test_a_new_language_is_a_folder_not_code(tmp_path, monkeypatch):
    """Copy the English folder as 'xx', change its words: the report speaks them."""
    src = resources.files("metalstat.report.languages").joinpath("en")
    dest = tmp_path / "xx"
    shutil.copytree(str(src), dest)
    toml = (dest / "language.toml").read_text("utf-8")
    toml = toml.replace('title = "China Metal Production"', 'title = "Production de métaux"')
    toml = toml.replace('code = "en"', 'code = "xx"').replace('html_lang = "en"', 'html_lang = "fr"')
    (dest / "language.toml").write_text(toml, "utf-8")
    monkeypatch.setenv("METALSTAT_REPORT_LANGUAGES", str(tmp_path))
    assert "xx" in available_languages()
    report = draft_report(report_input(), "xx")
    assert report.title == "Production de métaux"
    assert report.sections[0].paragraphs[0].text.startswith("China's copper cathode production")


def test_a_measured_market_figure_keeps_its_digits_in_the_languages_scale() -> None:
    zh, en = load_language("zh"), load_language("en")
    # 万吨 from 10,000 mt on, with the decimals the value needs (never rounded to 100 mt)
    assert zh.measured(623_500, "mt", "吨") == "62.35万吨"
    assert zh.measured(13_449, "mt", "吨") == "1.3449万吨"
    assert zh.measured(8_500, "mt", "吨") == "8500吨"
    assert zh.measured(17_270, "yuan/mt", "元/吨") == "17270元/吨"  # a price is not scaled
    assert en.measured(623_500, "mt", "mt") == "623,500 mt"
    assert en.measured(13_449, "mt", "mt") == "13,449 mt"
    assert en.measured(98.5, "mt", "mt") == "98.50 mt"
    assert en.measured(10.0, "%", "%") == "10%" and zh.measured(88.5, "%", "%") == "88.50%"


def test_a_chinese_amount_printed_as_zero_has_no_direction():
    """持平（0吨）, never 减少0吨: a change that prints as 0 (here -0.3 t at whole tonnes)
    says no direction; one that prints says it."""
    from metalstat.report.language import load_language

    class Tonnes:
        def q(self, x: float) -> str:
            return f"{round(x):,}吨"

    amount = load_language("zh").paragraphs.amount
    assert str(amount(Tonnes(), 0.0)) == "0吨"
    assert str(amount(Tonnes(), -0.3)) == "0吨"
    assert str(amount(Tonnes(), -5.0)) == "减少5吨"
    assert str(amount(Tonnes(), 1_200.0)) == "增加1,200吨"


@pytest.mark.parametrize(
    ("x", "dec", "en_text", "zh_text"),
    [
        (-7.6, 0, "down 8%", "下降8%"),  # the product's decimals
        (-0.1624, 0, "down 0.16%", "下降0.16%"),  # 0 at 0 decimals, not at 2: at 2
        (0.4, 0, "up 0.40%", "增长0.40%"),
        (0.004, 0, "unchanged", "持平"),  # 0.00 at 2 decimals too
        (-0.004, 2, "unchanged", "持平"),
    ],
)
def test_a_change_that_rounds_to_zero_is_not_called_unchanged(en, zh, x, dec, en_text, zh_text):
    assert str(en.paragraphs.signed_pct(x, dec)) == en_text
    assert str(zh.paragraphs.signed_pct(x, dec)) == zh_text

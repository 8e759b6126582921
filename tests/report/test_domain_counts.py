"""Where the producers counted by status and by change of output are: producer counts crossed
with a producer domain (``province=Yunnan;status=commissioning``), drafted beside the overall
counts in both languages. Every count below is chosen by hand; the expected sentences follow
from the selection rules in docs/report.md (largest count first, at most four statements).
"""

from __future__ import annotations

import polars as pl
import pytest

from metalstat.catalog import Catalog, Dimension, Label, Product, SizeClass
from metalstat.engine.figures import FIGURES
from metalstat.report import draft_report
from tests.report.fixtures import CATALOG, PERIOD, copper_rows, fig, production_rows, report_input

NEXT = "2025-07"
SILICON = Product(
    code="silicon_metal",
    name="Silicon Metal",
    name_zh="工业硅",
    group="silicon",
    scope="China",
    unit="mt",
    unit_zh="吨",
    content="physical",
    operating_rate="output",
    size_classes=(SizeClass(name="all", name_zh="全部", min_capacity=0),),
    dimensions=(
        Dimension(
            name="province",
            label="Province",
            label_zh="省份",
            source="producer",
            values=tuple(
                Label(name=en, name_zh=zh)
                for en, zh in (
                    ("Xinjiang", "新疆"),
                    ("Yunnan", "云南"),
                    ("Sichuan", "四川"),
                    ("Shaanxi", "陕西"),
                    ("Inner Mongolia", "内蒙古"),
                )
            ),
        ),
    ),
)


def count(key: str, n: int, *, kind: str = "actual") -> dict:
    period = PERIOD if kind == "actual" else NEXT
    status = "A" if kind == "actual" else "F"
    return fig(
        "silicon_metal", "producer_count", "count", period, n, breakdown=key, kind=kind, unit="count", status=status
    )


def silicon_rows() -> list[dict]:
    rows = production_rows("silicon_metal", {"2025-05": 320_000.0, "2025-06": 318_000.0})
    rows += [
        count("", 20),
        # 20 producers: 10 normal, 6 cut, 2 commissioning, 1 halted, 1 raised output
        count("status=normal", 10),
        count("status=cut", 6),
        count("status=commissioning", 2),
        count("status=halted", 1),
        count("status=increased", 1),
        count("province=Xinjiang;status=normal", 6),  # "normal" is no driver: never named
        count("province=Sichuan;status=normal", 4),
        count("province=Sichuan;status=cut", 3),  # the cuts' largest place
        count("province=Xinjiang;status=cut", 2),
        count("province=Shaanxi;status=cut", 1),
        count("province=Yunnan;status=commissioning", 2),  # every commissioning producer
        count("province=Inner Mongolia;status=halted", 1),  # fifth statement: left out
        count("province=Xinjiang;status=increased", 1),  # sixth: left out
        # against May, 5 lowered daily output and 4 raised it
        count("change=reduced", 5),
        count("change=increased", 4),
        fig("silicon_metal", "producer_share", "level", PERIOD, 25.0, unit="%", breakdown="change=reduced"),
        fig("silicon_metal", "producer_share", "level", PERIOD, 20.0, unit="%", breakdown="change=increased"),
        count("change=reduced;province=Sichuan", 2),  # a tie of two places, named together
        count("change=reduced;province=Shaanxi", 2),
        count("change=reduced;province=Inner Mongolia", 1),
        count("change=increased;province=Xinjiang", 2),
        count("change=increased;province=Yunnan", 1),
        count("change=increased;province=Sichuan", 1),
        # July from schedules: 6 plan lower output, 2 higher; 2 plan maintenance, 1 a halt
        count("change=reduced", 6, kind="forecast"),
        count("change=increased", 2, kind="forecast"),
        count("change=reduced;province=Xinjiang", 3, kind="forecast"),
        count("change=reduced;province=Sichuan", 2, kind="forecast"),
        count("change=reduced;province=Yunnan", 1, kind="forecast"),
        count("change=increased;province=Yunnan", 2, kind="forecast"),
        count("status=maintenance", 2, kind="forecast"),
        # one each in the only two places: a tie that says nothing about where
        count("province=Shaanxi;status=maintenance", 1, kind="forecast"),
        count("province=Sichuan;status=maintenance", 1, kind="forecast"),
        count("status=halted", 1, kind="forecast"),
        count("province=Inner Mongolia;status=halted", 1, kind="forecast"),
    ]
    return rows


def drafted(lang: str, rows: list[dict], catalog: Catalog, code: str) -> dict[str, str]:
    inp = report_input(
        figures=pl.DataFrame(rows, schema=FIGURES),
        catalog=catalog,
        events=(),
        capacity_changes=(),
        auxiliary=(),
    )
    report = draft_report(inp, lang)
    section = next(s for s in report.sections if s.code == code)
    # the product's page and its part of the data annex, by slot
    text: dict[str, str] = {}
    for p in [*section.paragraphs, *section.annex]:
        text[p.slot] = "\n\n".join(t for t in (text.get(p.slot), p.text) if t)
    for p in section.paragraphs:
        text[f"page:{p.slot}"] = p.text
    return text


@pytest.fixture(scope="module")
def silicon():
    catalog = Catalog(products=(SILICON,))
    return {lang: drafted(lang, silicon_rows(), catalog, "silicon_metal") for lang in ("en", "zh")}


def without_changes(rows: list[dict]) -> list[dict]:
    """The rows without any count of producers lowering or raising output: the report then
    prints its counts by reported status (one family of counts a section)."""
    return [r for r in rows if "change=" not in (r["breakdown"] or "")]


@pytest.fixture(scope="module")
def silicon_status():
    catalog = Catalog(products=(SILICON,))
    rows = without_changes(silicon_rows())
    return {lang: drafted(lang, rows, catalog, "silicon_metal") for lang in ("en", "zh")}


def test_one_family_of_counts(silicon):
    # the changes of daily output are counted on the page: the statuses and their places are not
    for text in (silicon["en"]["page:drivers"], silicon["en"]["forecast"]):
        assert "commissioning" not in text and "halt" not in text
    assert "新投产" not in silicon["zh"]["page:drivers"]
    # ...the data annex states the statuses, without their places
    annex = silicon["en"]["drivers"].removeprefix(silicon["en"]["page:drivers"])
    assert "By reported status, of the " in annex and "were commissioning new lines" in annex
    assert "in Yunnan" not in annex
    assert "按上报状态：样本共" in silicon["zh"]["drivers"] and "新投产" in silicon["zh"]["drivers"]


def test_where_statuses_are_in_english(silicon_status):
    text = silicon_status["en"]["drivers"]
    assert (
        "3 producers in Sichuan cut output, both producers that were commissioning new lines are in Yunnan, "
        "the producer that raised output is in Xinjiang and the producer that halted output is in Inner Mongolia."
        in text
    )
    assert text.count("Xinjiang") == 1  # only where output rose, never where output ran normally


def test_where_output_changed_in_english(silicon):
    text = silicon["en"]["drivers"]
    # Sichuan comes before Shaanxi in the catalog's order of provinces
    assert (
        "5 surveyed producers (25.00%) lowered their daily output in June (2 each in Sichuan and Shaanxi), "
        "while 4 (20.00%) raised it (2 of them in Xinjiang)." in text
    )


def test_where_statuses_and_changes_are_in_chinese(silicon, silicon_status):
    assert (
        "减产企业中四川3家，新投产的2家企业均位于云南，增产的1家企业位于新疆，停产的1家企业位于内蒙古。"
        in silicon_status["zh"]["drivers"]
    )
    text = silicon["zh"]["drivers"]
    assert (
        "6月样本中5家企业（占25.00%）日均产量下降（其中四川、陕西各2家），"
        "样本中4家企业（占20.00%）日均产量上升（其中新疆2家）。" in text
    )
    assert "内蒙古" not in text


def test_where_next_month_changes_are_in_the_forecast(silicon, silicon_status):
    en = silicon["en"]["forecast"]
    assert (
        "For July, 6 surveyed producers plan lower daily output (3 of them in Xinjiang) and 2 surveyed "
        "producers plan higher daily output (both in Yunnan)." in en
    )
    assert "The producer that plans to halt output is in Inner Mongolia." in silicon_status["en"]["forecast"]
    # maintenance: one producer in each of the two places that have any, so no place is named
    assert "Shaanxi" not in en
    zh = silicon["zh"]["forecast"]
    assert "7月样本中6家企业计划降低日均产量（其中新疆3家），样本中2家企业计划提高日均产量（均位于云南）。" in zh
    assert "计划停产的1家企业位于内蒙古。" in silicon_status["zh"]["forecast"]
    assert "陕西" not in zh
    # next month's places stay out of this month's drivers
    assert "both in Yunnan" not in silicon["en"]["drivers"]


def test_statuses_in_the_same_place_are_said_together():
    # copper: 9 of the 15 cuts and the one producer under maintenance use scrap or anode
    rows = copper_rows()
    rows += [
        fig("copper_cathode", "producer_count", "count", PERIOD, n, unit="count", breakdown=key)
        for key, n in (
            ("feedstock=copper scrap or anode;status=cut", 9),
            ("feedstock=copper concentrate;status=cut", 6),
            ("feedstock=copper scrap or anode;status=maintenance", 1),
            ("change=reduced;feedstock=copper concentrate", 10),
            ("change=reduced;feedstock=copper scrap or anode", 5),
            ("change=increased;feedstock=copper concentrate", 0),  # not a place to name
        )
    ]
    # the 4 producers planning higher output in July all use concentrate
    rows.append(
        fig(
            "copper_cathode",
            "producer_count",
            "count",
            "2025-07",
            4,
            unit="count",
            breakdown="change=increased;feedstock=copper concentrate",
            kind="forecast",
            status="F",
        )
    )
    status_only = without_changes(rows)
    en = drafted("en", status_only, CATALOG, "copper_cathode")["drivers"]
    assert "Among copper scrap or anode producers, 9 cut output and 1 was under maintenance." in en
    en = drafted("en", rows, CATALOG, "copper_cathode")["drivers"]
    assert (
        "15 surveyed producers (37.50%) lowered their daily output in June (10 copper concentrate producers "
        "among them), against 18.75% in May, while none raised it." in en
    )
    assert (
        "and 4 surveyed producers plan higher daily output (all copper concentrate producers)."
        in drafted("en", rows, CATALOG, "copper_cathode")["forecast"]
    )
    assert (
        "原料路线为废铜或阳极铜的企业中9家减产、1家检修。"
        in drafted("zh", status_only, CATALOG, "copper_cathode")["drivers"]
    )
    zh_text = drafted("zh", rows, CATALOG, "copper_cathode")
    zh = zh_text["drivers"]
    assert (
        "6月样本中15家企业（占37.50%）日均产量下降（其中原料路线为铜精矿的10家；5月为18.75%），"
        "样本中没有企业日均产量上升。" in zh
    )
    assert "样本中4家企业计划提高日均产量（原料路线均为铜精矿）。" in zh_text["forecast"]


def test_no_crossed_counts_no_places():
    # the fixture's copper figures hold overall counts only: the sentences are as before
    en = drafted("en", copper_rows(), CATALOG, "copper_cathode")["drivers"]
    assert (
        "15 surveyed producers (37.50%) lowered their daily output in June, against 18.75% in May, "
        "while none raised it." in en
    )
    assert "of them" not in en and "among them" not in en


@pytest.mark.parametrize(
    ("n", "sentence"),
    [
        (0, "For July, no surveyed producer plans lower daily output"),
        (1, "For July, 1 surveyed producer plans lower daily output"),
        (3, "For July, 3 surveyed producers plan lower daily output"),
    ],
)
def test_the_verb_agrees_with_the_number_of_producers(n: int, sentence: str) -> None:
    rows = production_rows("silicon_metal", {"2025-05": 320_000.0, "2025-06": 318_000.0})
    rows += [count("", 20), count("change=reduced", n, kind="forecast")]
    forecast = drafted("en", rows, Catalog(products=(SILICON,)), "silicon_metal")["forecast"]
    assert sentence in forecast

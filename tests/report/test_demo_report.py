"""The June 2025 demo report, end to end: ``metalstat demo`` writes it, and every figure of
the seed report that the demo reproduces is stated in the English and the Chinese text at
the seed's rounding (or finer). Slow: it runs the whole demo once (in a subprocess, on its
own embedded database), so it is skipped in the PostgreSQL pass. Set METALSTAT_DEMO_OUT to a
folder the demo already wrote to check that instead.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from metalstat.catalog import load_catalog
from metalstat.demo.targets import Target, check, load_targets

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")) and not os.environ.get("METALSTAT_DEMO_OUT"),
        reason="the demo report does not depend on the database; it runs in the SQLite pass",
    ),
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing"),
]
PERIOD = "2025-06"
FILES = [f"report-{PERIOD}.{lang}.{ext}" for lang in ("en", "zh") for ext in ("html", "pdf", "md")]


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    given = os.environ.get("METALSTAT_DEMO_OUT")
    if given:
        return Path(given)
    work = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["METALSTAT_DATA_DIR"] = str(work / "data")
    exe = Path(sys.executable).with_name("metalstat")
    subprocess.run(
        [str(exe), "demo", "--out", str(work / "out")], env=env, cwd=work, check=True, capture_output=True, timeout=900
    )
    return work / "out"


NUMBER = re.compile(r"(?<![0-9A-Za-z.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(\s*million|万)?")


def stated_numbers(text: str) -> list[tuple[float, float]]:
    """Every number in a text with half its printed precision ("3,400" from a figure rounded
    to 100 mt: 50; "0.34万": 50; "12.93": 0.005)."""
    out = []
    for whole, frac, scale in NUMBER.findall(text):
        x = float(whole.replace(",", "") + frac)
        half = 0.5 * 10 ** -(len(frac) - 1) if frac else 0.5
        if not frac and x >= 1000 and x % 100 == 0:
            half = 50.0
        factor = 1e6 if "million" in scale else 1e4 if scale == "万" else 1.0
        out.append((x * factor, half * factor))
    return out


def states(text: str, target: Target, value: float) -> bool:
    """The text states this figure, and at the precision printed it satisfies the target."""
    if value == 0:
        return any(w in text for w in ("unchanged", "held flat", "as many as", "持平"))
    for x, half in stated_numbers(text):
        if abs(x - abs(value)) <= half + 1e-9 and target.admits(math.copysign(x, value)):
            return True
    return False


def test_demo_leaves_the_report_files(out):
    for name in [*FILES, f"report-{PERIOD}.en.json", f"report-{PERIOD}.zh.json"]:
        assert (out / name).stat().st_size > 10_000, name
    assert (out / f"figures-{PERIOD}.json").is_file()


def test_pdfs_read_like_the_report(out):
    catalog = load_catalog()
    for lang in ("en", "zh"):
        pdf = out / f"report-{PERIOD}.{lang}.pdf"
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
        # cover, takeaways and contents, overview, the products two a page, accuracy and
        # methodology: 40 pages or fewer (85 when each product took a page or two; the data
        # annex's 11 pages of enumerations are in the HTML edition and the downloads only)
        assert 20 <= pages <= 40, pages
        names = [p.name if lang == "en" else p.name_zh for p in catalog]
        missing = [n for n in names if n not in text]
        assert not missing, f"{lang}: headings not in the PDF: {missing}"
        assert re.search(rf"\b{pages}\s*/\s*{pages}\b", text)  # page numbers in the footer


def test_every_reproduced_figure_is_stated_in_both_languages(out):
    figures = json.loads((out / f"figures-{PERIOD}.json").read_text("utf-8"))["figures"]
    # the seed's statements about June and July 2025 (a span counts by its last month);
    # figures it quotes for May, such as an end-May inventory, are context, not the month
    targets = [t for t in load_targets() if t.value is not None and t.period.split("..")[-1] in (PERIOD, "2025-07")]
    failing = {id(m.target) for m in check(targets, figures)}
    index = {
        (f["product_code"], f["kind"], f["measure"], frozenset(f["breakdown"].items()), f["statistic"], f["period"]): f[
            "value"
        ]
        for f in figures
    }
    reproduced = [t for t in targets if id(t) not in failing]
    assert reproduced, "the demo reproduces no target with a value"
    for lang in ("en", "zh"):
        report = json.loads((out / f"report-{PERIOD}.{lang}.json").read_text("utf-8"))
        # the product's page, its part of the data annex and its sample note
        text = {
            p["code"]: " ".join([x["text"] for x in p["paragraphs"] + p["annex"]] + p["notes"])
            for p in report["products"]
        }
        unstated = [t.describe() for t in reproduced if not states(text.get(t.product, ""), t, index[t.key()])]
        print(
            f"{lang}: {len(reproduced) - len(unstated)} of {len(reproduced)} reproduced "
            f"targets with a value stated ({len(targets)} targets with a value)"
        )
        assert not unstated, f"{lang}: figures not stated in the text:\n" + "\n".join(unstated)


def test_the_demo_report_passes_the_consistency_check(out):
    """``metalstat report --check`` over the demo month's release, in both languages: every
    count, content pair, partition, quoted range and stock checks out (report.consistency)."""
    data = out.parent / "data"
    if not data.is_dir():
        pytest.skip("the demo's database is not beside its output folder")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["METALSTAT_DATA_DIR"] = str(data)
    exe = Path(sys.executable).with_name("metalstat")
    done = subprocess.run([str(exe), "report", PERIOD, "--check"], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 problem(s)" in done.stderr


def test_every_product_page_holds_150_to_300_words(out):
    """About 150-300 words a product (issue: one page a product): the English page's
    paragraphs, words as whitespace separates them."""
    report = json.loads((out / f"report-{PERIOD}.en.json").read_text("utf-8"))
    words = {p["code"]: len(" ".join(x["text"] for x in p["paragraphs"]).split()) for p in report["products"]}
    outside = {code: n for code, n in words.items() if not 150 <= n <= 300}
    assert not outside, f"products with fewer than 150 or more than 300 words: {outside}"


# Latin words a Chinese metals report writes as they are: trade codes, formulas, technologies.
ZH_LATIN_ALLOWED = frozenset(
    {
        "NPI", "MHP", "LFP", "NCM", "GW", "SHFE", "LME", "TC", "TCs", "RC", "Pb50", "Zn50", "WO3", "APT",
        "EMD", "EMM", "DMC", "EVA", "POE", "PV", "TOPCon", "PERC", "HJT", "BC", "N", "P", "RN", "NdFeB",
        "MAP", "Ni", "Li", "Co", "Cr", "Mn", "Mn3O4", "Co3O4", "RKEF", "HPAL", "SiMn", "ITO",
    }
)  # fmt: skip


def test_the_chinese_body_has_no_english_words(out):
    report = json.loads((out / f"report-{PERIOD}.zh.json").read_text("utf-8"))
    found: dict[str, set[str]] = {}
    takeaways = {"slot": "takeaways", "text": " ".join(report["takeaways"])}
    for p in [*report["products"], {"code": "takeaways", "paragraphs": [takeaways], "annex": []}]:
        for x in p["paragraphs"] + p["annex"]:
            for word in re.findall(r"[A-Za-z][A-Za-z0-9]*", x["text"]):
                if word not in ZH_LATIN_ALLOWED:
                    found.setdefault(word, set()).add(p["code"])
    assert not found, f"English words in the Chinese body: {found}"


# The reasons the seed report gives for each product's June move, in the words the report
# uses for that reason category (with the region where the seed names one).
SEED_REASONS = {
    "copper_cathode": [
        ("raw-material shortages", "原料短缺"),
        ("environmental inspections in north China", "华北地区环保检查"),
    ],
    "aluminium": [("capacity replacement", "产能置换")],
    "refined_nickel": [("raw-material shortages", "原料短缺")],
    "npi": [("losses", "亏损"), ("maintenance in north China", "华北地区检修")],
    "cobalt_sulphate": [("raw-material shortages", "原料短缺")],
    # the rise's reason is the analysts' note (demo.reasons.ANALYST_NOTES), the recyclers'
    # cut an event
    "lithium_carbonate": [("Hedging opportunities on the futures market", "套保机会"), ("losses", "亏损")],
    "stainless_steel": [("losses", "亏损")],
}
# ... and the outlook's (the forecast paragraph names the planned stops and cuts of July).
SEED_OUTLOOK_REASONS = {
    "refined_nickel": ("raw-material shortages", "原料短缺"),
    "npi": ("losses", "亏损"),
    "cobalt_sulphate": ("raw-material shortages", "原料短缺"),
    "stainless_steel": ("losses", "亏损"),
}


def test_the_drafts_name_the_seed_reasons(out):
    for k, lang in enumerate(("en", "zh")):
        report = json.loads((out / f"report-{PERIOD}.{lang}.json").read_text("utf-8"))
        text = {p["code"]: " ".join(x["text"] for x in p["paragraphs"]) for p in report["products"]}
        july = "July" if lang == "en" else "7月"
        for code, reasons in SEED_REASONS.items():
            for words in reasons:
                assert words[k] in text[code], f"{lang} {code}: {words[k]!r} not named"
        for code, words in SEED_OUTLOOK_REASONS.items():
            planned = [s for s in re.split(r"(?<=[.。])\s*", text[code]) if july in s and words[k] in s]
            assert planned, f"{lang} {code}: {words[k]!r} not named for July"

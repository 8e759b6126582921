"""Observations by series, vintage and as-of moment, in JSON and CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.api.conftest import COPPER_LEVEL, NPI_LEVEL, World
from tests.api.test_gate import content

pytestmark = pytest.mark.django_db


def get(world: World, who: str, path: str, **params: Any) -> Any:
    return world.client(who).get(f"/api/v1{path}", params)


def values(response: Any) -> list[tuple[str, float | None, str]]:
    return [(r["period"], r["value"], r["release"]) for r in response.json()["rows"]]


def test_latest_has_one_row_per_period_from_the_newest_public_release(world: World) -> None:
    r = get(world, "subscriber", f"/series/{COPPER_LEVEL}/observations")
    assert r.status_code == 200, r.content
    # July's release is embargoed: its June value (1190) and July are not shown.
    assert values(r) == [
        ("2025-04", 1000.0, "2025-06.v1"),
        ("2025-05", 1080.0, "2025-06.v1"),
        ("2025-06", 1188.0, "2025-06.v1"),
    ]
    body = r.json()
    assert body["as_of"] == "latest" and body["releases"] == ["2025-06.v1"]
    assert body["series"][0]["title"].startswith("Copper Cathode: production")


def test_as_of_a_release_and_a_date_before_the_revision(world: World) -> None:
    r = get(world, "subscriber", f"/series/{COPPER_LEVEL}/observations", as_of="2025-05.v1")
    assert values(r) == [("2025-04", 1000.0, "2025-05.v1"), ("2025-05", 1100.0, "2025-05.v1")]
    assert "immutable" in r["Cache-Control"]
    day = (world.june.release_at - __import__("datetime").timedelta(days=1)).date().isoformat()
    r = get(world, "subscriber", f"/series/{COPPER_LEVEL}/observations", as_of=day)
    assert [v for _, v, _ in values(r)] == [1000.0, 1100.0]


def test_first_release_all_vintages_and_revisions(world: World) -> None:
    path = f"/series/{COPPER_LEVEL}/observations"
    first = values(get(world, "subscriber", path, view="first"))
    assert first == [
        ("2025-04", 1000.0, "2025-05.v1"),
        ("2025-05", 1100.0, "2025-05.v1"),
        ("2025-06", 1188.0, "2025-06.v1"),
    ]
    every = get(world, "subscriber", path, view="all").json()["rows"]
    may = [r for r in every if r["period"] == "2025-05"]
    assert [(r["value"], r["realtime_end"] is None) for r in may] == [(1100.0, False), (1080.0, True)]
    assert may[0]["realtime_end"] == may[1]["realtime_start"]
    revisions = values(get(world, "subscriber", path, view="revisions"))
    # April was republished unchanged: not a revision.
    assert revisions == [
        ("2025-04", 1000.0, "2025-05.v1"),
        ("2025-05", 1100.0, "2025-05.v1"),
        ("2025-05", 1080.0, "2025-06.v1"),
        ("2025-06", 1188.0, "2025-06.v1"),
    ]


def test_csv_has_a_fixed_header_and_reads_into_the_same_rows(world: World) -> None:
    r = get(world, "subscriber", f"/series/{COPPER_LEVEL}/observations.csv", bom="1")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/csv")
    text = r.content.decode("utf-8")
    assert text.startswith("\ufeffseries_id,period,value,obs_status,conf_status,unit,release,")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(x["period"], float(x["value"])) for x in rows] == [
        ("2025-04", 1000.0),
        ("2025-05", 1080.0),
        ("2025-06", 1188.0),
    ]


def test_a_transform_is_computed_within_one_vintage_and_agrees_with_the_engine(
    world: World,
) -> None:
    r = get(world, "subscriber", f"/series/{COPPER_LEVEL}/observations", transform="mom_pct")
    rows = {x["period"]: x["value"] for x in r.json()["rows"]}
    # June release: 1188 / 1080 - 1 = 10 % (the engine published 10.0 too); May in the June
    # release: 1080 / 1000 - 1 = 8 %, not 1080 against May's own first value.
    assert rows["2025-06"] == pytest.approx(10.0)
    assert rows["2025-05"] == pytest.approx(8.0)
    assert "2025-04" not in rows or rows["2025-04"] is None
    r = get(world, "subscriber", f"/series/{COPPER_LEVEL}/observations", transform="mom_pct", as_of="2025-05.v1")
    assert {x["period"]: x["value"] for x in r.json()["rows"]}["2025-05"] == pytest.approx(10.0)


def test_suppressed_cells_are_null_with_their_status_in_every_format(world: World) -> None:
    sid = "M.COPPER_CATHODE.ACT.SHARE.SIZE_CLASS=SMALL.LEVEL"
    for suffix in ("", ".csv", ".xlsx", ".sdmx.csv", ".sdmx.json"):
        r = get(world, "analyst", f"/series/{sid}/observations{suffix}")
        assert r.status_code == 200, (suffix, r.content)
        assert b"31.4159" not in content(r) and b"31,4159" not in content(r), suffix
    rows = get(world, "analyst", f"/series/{sid}/observations").json()["rows"]
    assert [(x["value"], x["conf_status"]) for x in rows] == [(None, "C")]


def test_a_key_pattern_gives_entitled_series_and_lists_the_others(world: World) -> None:
    key = "M.COPPER_CATHODE+NPI.ACT.PRODUCTION._T.LEVEL"
    body = get(world, "subscriber", f"/data/{key}").json()
    assert {r["series_id"] for r in body["rows"]} == {COPPER_LEVEL}
    assert body["not_entitled"] == [{"series_id": NPI_LEVEL, "group": "alloys_and_steel"}]
    wide = get(world, "analyst", f"/data/{key}", shape="wide").json()["rows"]
    assert wide[-1] == {"period": "2025-06", COPPER_LEVEL: 1188.0, NPI_LEVEL: 520.0}


def test_unknown_parameters_are_refused_by_name(world: World) -> None:
    r = get(world, "subscriber", f"/series/{COPPER_LEVEL}/observations", vintage_date="2025")
    assert r.status_code == 400
    assert r["Content-Type"] == "application/problem+json"
    assert "vintage_date" in r.json()["detail"] and "as_of" in r.json()["valid_params"]
    assert r["Cache-Control"] == "no-store"


def test_sdmx_json_keys_series_by_dimension_indices(world: World) -> None:
    r = get(world, "subscriber", f"/series/{COPPER_LEVEL}/observations.sdmx.json")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.sdmx.data+json")
    message = r.json()["data"]
    dims = message["structures"][0]["dimensions"]
    assert [d["id"] for d in dims["series"]] == ["FREQ", "PRODUCT", "KIND", "MEASURE", "BREAKDOWN", "STATISTIC"]
    periods = [p["id"] for p in dims["observation"][0]["values"]]
    assert periods == ["2025-04", "2025-05", "2025-06"]
    (series,) = message["dataSets"][0]["series"].values()
    status = [s["id"] for s in message["structures"][0]["attributes"]["observation"][0]["values"]]
    observed = {periods[int(i)]: (v[0], status[v[1]]) for i, v in series["observations"].items()}
    assert observed == {"2025-04": (1000.0, "A"), "2025-05": (1080.0, "A"), "2025-06": (1188.0, "P")}


def test_bulk_download_of_a_vintage_holds_what_the_caller_may_read(world: World) -> None:
    r = get(world, "subscriber", "/releases/2025-06.v1/bulk.csv")
    assert r.status_code == 200, r.content
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8"))))
    assert {x["series_id"] for x in rows} == {
        COPPER_LEVEL,
        "M.COPPER_CATHODE.ACT.PRODUCTION._T.MOM_PCT",
        "M.COPPER_CATHODE.ACT.SHARE.SIZE_CLASS=SMALL.LEVEL",
    }  # no NPI
    share = next(x for x in rows if "SHARE" in x["series_id"])
    assert (share["value"], share["conf_status"]) == ("", "C")
    assert {x["release"] for x in rows} == {"2025-06.v1"}
    assert get(world, "subscriber", "/releases/2025-07.v1/bulk.csv").status_code == 404  # embargoed
    assert get(world, "stranger", "/releases/2025-06.v1/bulk.csv").status_code == 403

"""The one gate: embargo to the microsecond, keys, entitlements, previews, in every route
and format."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from metalstat.subscriptions.actions import do_revoke_api_key
from metalstat.subscriptions.models import AccessLog, ApiKey
from tests.api.conftest import COPPER_LEVEL, NPI_LEVEL, World

pytestmark = pytest.mark.django_db

ROUTES = [
    "/series",
    f"/series/{COPPER_LEVEL}",
    f"/series/{COPPER_LEVEL}/observations",
    f"/series/{COPPER_LEVEL}/observations.csv",
    f"/series/{COPPER_LEVEL}/observations.xlsx",
    f"/series/{COPPER_LEVEL}/observations.sdmx.csv",
    f"/series/{COPPER_LEVEL}/observations.sdmx.json",
    f"/data/{COPPER_LEVEL}",
    f"/data/{COPPER_LEVEL}/file.csv",
    f"/series/{COPPER_LEVEL}/vintages",
    f"/series/{COPPER_LEVEL}/revisions",
    "/releases",
    "/releases/2025-07.v1",
    "/releases/2025-07.v1/bulk.csv",
]
EMBARGOED = (b"7777", b"1190", b"2025-07.v1")


def get(world: World, who: str, path: str, **params: Any) -> Any:
    return world.client(who).get(f"/api/v1{path}", params)


def content(response: Any) -> bytes:
    """The body as searchable bytes (an XLSX workbook's cells, as text)."""
    if not response["Content-Type"].startswith("application/vnd.openxmlformats"):
        return bytes(response.content)
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    return " ".join(cells).encode("utf-8")


@pytest.mark.parametrize("path", ROUTES)
def test_nothing_embargoed_a_microsecond_before_release_time_and_all_of_it_at(world: World, path: str) -> None:
    assert world.july.release_at is not None
    with time_machine.travel(world.july.release_at - timedelta(microseconds=1), tick=False):
        for who in ("subscriber", "analyst"):
            r = get(world, who, path)
            if "2025-07.v1" in path:
                assert r.status_code == 404
                continue
            assert r.status_code == 200, (who, r.content[:300])
            assert not any(x in content(r) for x in EMBARGOED), (who, path)
            if "max-age" in r["Cache-Control"]:
                assert "max-age=0" in r["Cache-Control"]  # never cached past release time
        previewed = get(world, "previewer", path, preview="1")
        assert previewed["Cache-Control"] == "no-store"
    with time_machine.travel(world.july.release_at, tick=False):
        r = get(world, "subscriber", path)
        assert r.status_code == 200, r.content[:300]
        if "observations" in path or path.startswith("/data") or path.startswith("/releases"):
            assert any(x in content(r) for x in EMBARGOED), path


def test_an_embargoed_release_answers_as_one_that_does_not_exist(world: World) -> None:
    assert world.july.release_at is not None
    with time_machine.travel(world.july.release_at - timedelta(microseconds=1), tick=False):
        embargoed = get(world, "subscriber", "/releases/2025-07.v1")
        missing = get(world, "subscriber", "/releases/2025-07.v9")
    assert embargoed.status_code == missing.status_code == 404
    assert json.loads(embargoed.content.replace(b"07.v1", b"07.v9")) == missing.json()
    assert embargoed["Cache-Control"] == missing["Cache-Control"] == "no-store"


def test_the_calendar_says_when_and_nothing_else_before_release_time(world: World) -> None:
    assert world.july.release_at is not None
    with time_machine.travel(world.july.release_at - timedelta(microseconds=1), tick=False):
        calendar = get(world, "subscriber", "/releases").json()["releases"]
    assert calendar[-1] == {"id": None, "release_at": world.july.release_at.isoformat(), "status": "scheduled"}
    with time_machine.travel(world.july.release_at, tick=False):
        calendar = get(world, "subscriber", "/releases").json()["releases"]
    assert calendar[-1]["id"] == "2025-07.v1" and calendar[-1]["status"] == "released"


def test_keys_anonymous_unknown_revoked_expired_are_401(world: World) -> None:
    path = f"/series/{COPPER_LEVEL}/observations"
    assert get(world, "nobody", path).status_code == 401
    r = world.client("nobody").get(f"/api/v1{path}", HTTP_AUTHORIZATION="Bearer mstat_forged")
    assert r.status_code == 401 and "invalid_token" in r["WWW-Authenticate"]
    key = ApiKey.objects.get(user__username="trader")
    do_revoke_api_key(key, actor="admin")
    r = get(world, "subscriber", path)
    assert r.status_code == 401 and "revoked" in r.json()["detail"]


def test_a_query_string_key_works_and_is_not_logged(world: World) -> None:
    path = f"/series/{COPPER_LEVEL}/observations.csv"
    r = world.client("nobody").get(f"/api/v1{path}", {"api_key": world.keys["subscriber"]})
    assert r.status_code == 200
    assert not AccessLog.objects.filter(path__contains=world.keys["subscriber"]).exists()
    assert AccessLog.objects.filter(path=f"/api/v1{path}", status=200, format="csv").exists()


def test_a_series_not_subscribed_is_403_naming_what_covers_it(world: World) -> None:
    r = get(world, "subscriber", f"/series/{NPI_LEVEL}/observations")
    assert r.status_code == 403
    assert "alloys_and_steel" in r.json()["detail"]
    listed = get(world, "subscriber", "/series", product="npi").json()["series"]
    assert listed and all(s["entitled"] is False for s in listed)
    assert get(world, "stranger", f"/series/{COPPER_LEVEL}/observations").status_code == 403


def test_a_preview_needs_the_permission_and_is_logged(world: World) -> None:
    path = f"/series/{COPPER_LEVEL}/observations"
    assert get(world, "analyst", path, preview="1").status_code == 403
    assert get(world, "subscriber", path, preview="1").status_code == 403
    r = get(world, "previewer", path, preview="1")
    assert r.status_code == 200 and b"7777" in r.content
    assert AccessLog.objects.filter(user="chief", preview=True, status=200).count() == 1


def test_every_data_request_is_logged(world: World) -> None:
    get(world, "subscriber", f"/series/{COPPER_LEVEL}/observations.csv")
    entry = AccessLog.objects.get(user="trader")
    assert (entry.series, entry.format, entry.status, entry.rows) == (COPPER_LEVEL, "csv", 200, 3)
    assert entry.key is not None and entry.key.name == "notebook"


def test_kept_answers_are_never_shared_across_what_callers_may_read(world: World) -> None:
    from metalstat.subscriptions.actions import (
        do_add_subscriber,
        do_create_api_key,
        do_create_organisation,
        do_grant_subscription,
    )

    path = f"/series/{COPPER_LEVEL}/observations"
    full = get(world, "subscriber", path).json()["rows"]  # rendered and kept
    org = do_create_organisation("Short Desk", actor="admin")
    do_grant_subscription(org, "Last month only", groups=["base_metals"], history_months=1, actor="admin")
    short = do_add_subscriber("intern", org, actor="admin").user
    world.keys["short"] = do_create_api_key(short, "k", actor="admin")[1]
    assert [r["period"] for r in full] == ["2025-04", "2025-05", "2025-06"]
    assert [r["period"] for r in get(world, "short", path).json()["rows"]] == ["2025-06"]
    # and a pattern listing what is not entitled differs by caller
    key = "/data/M.COPPER_CATHODE+NPI.ACT.PRODUCTION._T.LEVEL"
    assert get(world, "analyst", key).json()["not_entitled"] == []
    assert get(world, "subscriber", key).json()["not_entitled"] != []

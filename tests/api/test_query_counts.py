"""Each route answers in a fixed number of queries, whatever the number of series or rows
(counting, not timing: an N+1 query fails here on any machine)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import COPPER_LEVEL, World

pytestmark = pytest.mark.django_db

# route -> queries on a repeated request: the key, the public releases (which also give the next
# release time), the access log row (the caller's entitlements are kept by the process: tests in
# test_kept_entitlements.py); a data answer not yet rendered under the current public releases
# adds the figures and their releases (see test_a_first_answer_reads_the_figures).
BUDGET = {
    "/series": 3,
    f"/series/{COPPER_LEVEL}": 3,
    f"/series/{COPPER_LEVEL}/observations": 3,
    f"/series/{COPPER_LEVEL}/observations.csv": 3,
    "/data/M.*.ACT.PRODUCTION._T.LEVEL": 3,
    "/data/M.*.*.*.*.*": 3,
    f"/series/{COPPER_LEVEL}/vintages": 5,
    "/releases": 3,
}


def count(world: World, path: str) -> int:
    client = world.client("analyst")
    client.get(f"/api/v1{path}")  # the first request builds the process's series index
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/api/v1{path}")
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", list(BUDGET))
def test_queries_per_route(world: World, path: str) -> None:
    assert count(world, path) == BUDGET[path]


def test_more_series_cost_no_more_queries(world: World) -> None:
    one: Any = count(world, f"/data/{COPPER_LEVEL}")
    every: Any = count(world, "/data/M.*.*.*.*.*")
    assert one == every


def test_a_first_answer_reads_the_figures(world: World) -> None:
    from metalstat.api import routes

    client = world.client("analyst")
    client.get(f"/api/v1/series/{COPPER_LEVEL}/observations")
    routes._ANSWERS.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/api/v1/series/{COPPER_LEVEL}/observations").status_code == 200
    assert len(ctx.captured_queries) == 5

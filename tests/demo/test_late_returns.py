"""The demo's late returns: three copper cathode returns miss October 2024's release, are
imputed in its first vintage, come in, and October's second vintage (with November's release)
replaces the imputed values. As of just before that release the public sees the imputed level,
from it the reported one; the lineage tables say which cells changed status."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl
import pytest

from metalstat.demo.dissemination import LATE_MONTH, late_returns, late_summary
from metalstat.demo.generator import generate
from metalstat.demo.load import load
from metalstat.demo.pipeline import release_time, run_and_publish
from metalstat.releases.models import CellStatus, Release, SampleUnit
from metalstat.releases.queries import series_observations
from metalstat.survey.models import SurveyReturn

pytestmark = pytest.mark.django_db
COPPER_LEVEL = "M.COPPER_CATHODE.ACT.PRODUCTION._T.LEVEL"
KEY = pl.DataFrame(
    [("copper_cathode", "actual", "production", "", "level")],
    schema=["product", "kind", "measure", "breakdown", "statistic"],
    orient="row",
)


@pytest.fixture
def published() -> Any:
    data = generate(products=["copper_cathode"])
    late = late_returns(data)
    assert late is not None and late.month == LATE_MONTH == date(2024, 10, 1)
    load(late.withheld(data))
    assert not SurveyReturn.objects.filter(period=LATE_MONTH, producer__code__in=late.producers).exists()
    done = run_and_publish(data, [date(2024, 10, 1), date(2024, 11, 1)], late=late)
    return late, done, data


def october(at: Any) -> float:
    rows = series_observations(KEY, as_of=at).filter(pl.col("period") == "2024-10")
    assert rows.height == 1
    return float(rows.get_column("value")[0])


def test_the_late_returns_replace_the_imputed_values(published: Any) -> None:
    from metalstat.releases.cycle import load_cycle_inputs

    late, done, data = published
    # Once in, the database holds the whole generated panel again, every field of the returns.
    db, mine = load_cycle_inputs(["copper_cathode"]), data.cycle_inputs()
    for name in ("returns", "return_parts", "schedule_parts"):
        a, b = getattr(db, name), getattr(mine, name)
        assert a.sort(a.columns).equals(b.sort(b.columns)), name
    first = Release.objects.get(period=LATE_MONTH, vintage=1)
    second = Release.objects.get(period=LATE_MONTH, vintage=2)
    # October's first vintage went out at its month end; the second with November's release,
    # a minute before it.
    assert first.release_at == release_time(date(2024, 10, 1))
    assert second.release_at == release_time(date(2024, 11, 1)) - timedelta(minutes=1)
    # The returns were recorded after the first vintage, through the survey's action.
    assert SurveyReturn.objects.filter(period=LATE_MONTH, producer__code__in=late.producers).count() == 3

    # Lineage: the three output cells are imputed in v1 (by the schedule they gave in
    # September's return), reported in v2.
    def cells(release: Release) -> list[tuple[str, str, str]]:
        return list(
            CellStatus.objects.filter(
                release=release, period=LATE_MONTH, field="output", producer__in=late.producers
            ).values_list("producer", "status", "method")
        )

    assert sorted(cells(first)) == [(p, "imputed", "schedule") for p in late.producers]
    assert sorted(cells(second)) == [(p, "reported", "reported") for p in late.producers]

    # The public answer: the imputed level up to the second vintage's release time, the
    # reported one from it.
    imputed_level, reported_level = october(second.release_at - timedelta(microseconds=1)), october(second.release_at)
    summary = late_summary(done, late)
    assert (imputed_level, reported_level) == (summary.first, summary.revised)
    assert imputed_level != reported_level

    # By hand: only the three cells changed, each expanded by its weight, so the levels differ
    # by Σ w × (imputed − reported) over the three (the weights are the same in both samples).
    def sample(release: Release) -> dict[str, tuple[float, float]]:
        return {
            p: (w, v)
            for p, w, v in SampleUnit.objects.filter(release=release, period=LATE_MONTH).values_list(
                "producer", "weight", "value"
            )
        }

    s1, s2 = sample(first), sample(second)
    assert {p: w for p, (w, _) in s1.items()} == {p: w for p, (w, _) in s2.items()}
    assert {p for p in s1 if s1[p][1] != s2[p][1]} == set(late.producers)
    reported = dict(late.returns.select("producer_id", "output").iter_rows())
    assert [s2[p][1] for p in late.producers] == pytest.approx([reported[p] for p in late.producers])
    delta = sum(s1[p][0] * (s1[p][1] - s2[p][1]) for p in late.producers)
    assert imputed_level - reported_level == pytest.approx(delta, rel=1e-6)


def test_the_api_shows_the_path_from_imputed_to_reported(published: Any) -> None:
    from django.test import Client

    from metalstat.subscriptions.actions import (
        do_add_subscriber,
        do_create_api_key,
        do_create_organisation,
        do_grant_subscription,
    )

    late, done, _ = published
    summary = late_summary(done, late)
    org = do_create_organisation("Desk", actor="admin")
    do_grant_subscription(org, "Base metals", groups=["base_metals"], actor="admin")
    sub = do_add_subscriber("trader", org, actor="admin")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {do_create_api_key(sub.user, 'k', actor='admin')[1]}")
    url = f"/api/v1/series/{COPPER_LEVEL}/observations"
    body = client.get(url, {"view": "revisions", "start": "2024-10", "end": "2024-10"}).json()
    path = [(o["release"], o["value"], o["obs_status"]) for o in body["rows"]]
    # Imputed (OBS_STATUS I) in v1, reported in v2; November's release then repeats the
    # reported level (with its own status for a month before its own, hence a row here).
    assert path[:2] == [("2024-10.v1", summary.first, "I"), ("2024-10.v2", summary.revised, "P")]
    assert [(r, v) for r, v, _ in path[2:]] == [("2024-11.v1", summary.revised)]
    then = client.get(url, {"as_of": "2024-11-29", "start": "2024-10", "end": "2024-10"}).json()
    assert [o["value"] for o in then["rows"]] == [summary.first]

"""Invariants of series identity, entitlements and transforms (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metalstat.releases.series import parse_pattern, series_id
from metalstat.releases.transforms import transform
from metalstat.subscriptions.entitlements import Entitlements, Grant

PRODUCTS = ["copper_cathode", "aluminium", "npi", "lithium_carbonate"]
MEASURES = ["production", "operating_rate", "share"]
BREAKDOWNS = ["", "size_class=large", "region=north China;status=cut", "series=300-series"]
STATISTICS = ["level", "mom_pct", "yoy_pct"]
KINDS = ["actual", "forecast", "forecast2"]
keys = st.tuples(st.sampled_from(PRODUCTS), st.sampled_from(KINDS), st.sampled_from(MEASURES),
                 st.sampled_from(BREAKDOWNS), st.sampled_from(STATISTICS))  # fmt: skip


def pattern_for(chosen: list[set[str] | None]) -> str:
    return ".".join("*" if c is None else "+".join(sorted(c)) for c in chosen)


@given(keys, st.lists(st.booleans(), min_size=6, max_size=6))
def test_a_pattern_matches_exactly_the_ids_whose_codes_it_names(key: tuple[str, ...], wild: list[bool]) -> None:
    sid = series_id(*key)
    codes = sid.split(".")
    pattern = parse_pattern(pattern_for([None if w else {c} for w, c in zip(wild, codes, strict=True)]))
    assert pattern.matches(sid)
    other = series_id("refined_zinc", *key[1:])
    assert pattern.matches(other) == wild[1]  # only a wildcard product matches another product
    import re

    assert bool(re.match(pattern.regex, sid)) and bool(re.match(pattern.regex, other)) == wild[1]


def grant(name: str, groups: frozenset[str], patterns: list[str]) -> Grant:
    return Grant(name, groups, tuple(parse_pattern(p) for p in patterns), None, frozenset())


grants = st.builds(
    grant,
    st.just("g"),
    st.frozensets(st.sampled_from([*PRODUCTS, "base_metals", "alloys_and_steel"]), max_size=2),
    st.lists(st.sampled_from(["M.*.ACT.PRODUCTION._T.LEVEL", "M.NPI.*.*.*.*", "M.*.*.SHARE.*.*"]), max_size=2),
)


@given(st.lists(grants, max_size=3), st.lists(grants, max_size=3), keys)
def test_entitlements_never_widen_by_combining_grants(a: list[Grant], b: list[Grant], key: tuple[str, ...]) -> None:
    sid, product = series_id(*key), key[0]

    def ent(gs: list[Grant]) -> Entitlements:
        return Entitlements(analyst=False, organisation="o", grants=tuple(gs))

    assert ent(a + b).covers(sid, product) == (ent(a).covers(sid, product) or ent(b).covers(sid, product))
    assert ent(a + b).covers(sid, product) == any(ent([g]).covers(sid, product) for g in a + b)


@given(st.lists(st.floats(min_value=1.0, max_value=1e6), min_size=3, max_size=14),
       st.lists(st.floats(min_value=1.0, max_value=1e6), min_size=3, max_size=14))  # fmt: skip
def test_mom_pct_is_computed_from_one_release_s_own_levels(first: list[float], second: list[float]) -> None:
    def rows(values: list[float], vintage: int) -> list[dict[str, object]]:
        return [
            {"product": "copper_cathode", "kind": "actual", "measure": "production", "breakdown": "",
             "statistic": "level", "month": f"2025-{m + 1:02d}" if m < 12 else f"2026-{m - 11:02d}",
             "value": v, "unit": "mt", "release_period": "2026-02", "vintage": vintage,
             "realtime_start": datetime(2026, 3, vintage, tzinfo=UTC)}
            for m, v in enumerate(values)
        ]  # fmt: skip

    levels = pl.DataFrame(rows(first, 1) + rows(second, 2))
    out = transform(levels, "mom_pct")
    for vintage, values in ((1, first), (2, second)):
        got = out.filter(pl.col("vintage") == vintage).sort("month")["value"].to_list()
        assert got[0] is None
        for i in range(1, len(values)):
            assert abs(got[i] - (values[i] / values[i - 1] - 1) * 100) < 1e-9


# A release: its month (index into MONTHS), and per earlier-or-same month a value (None: the
# release does not carry that month), for two series of copper.
MONTHS = ["2025-04", "2025-05", "2025-06"]
releases_st = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.lists(st.one_of(st.none(), st.sampled_from([1.0, 2.0, 3.5])), min_size=3, max_size=3),
        st.lists(st.one_of(st.none(), st.sampled_from([10.0, 20.0])), min_size=3, max_size=3),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(releases_st, st.integers(0, 7))
def test_the_database_s_latest_is_the_newest_vintage_of_every_period(
    db: Any, releases: list[tuple[int, list[float | None], list[float | None]]], as_of_hour: int
) -> None:
    """``view=latest`` (one row per figure picked by the database) equals what the rows of
    every vintage say is current (realtime_end null: how latest was kept in Python before)."""
    from django.db import transaction

    from metalstat.releases.queries import series_observations
    from tests.api.conftest import publish
    from tests.registry.factories import figure_row

    start = datetime(2026, 1, 1, tzinfo=UTC)
    keys = pl.DataFrame(
        [("copper_cathode", "actual", "production", "", s) for s in ("level", "mom_pct")],
        schema=["product", "kind", "measure", "breakdown", "statistic"],
        orient="row",
    )
    with transaction.atomic():
        for hour, (month, levels, changes) in enumerate(releases):
            rows = [
                figure_row(period=MONTHS[m], statistic=statistic, value=v)
                for statistic, values in (("level", levels), ("mom_pct", changes))
                for m, v in enumerate(values)
                if v is not None and m <= month
            ] or [figure_row(period=MONTHS[month])]
            publish(MONTHS[month], rows, start + timedelta(hours=hour))
        for as_of in (None, start + timedelta(hours=as_of_hour, minutes=30)):
            latest = series_observations(keys, as_of=as_of, view="latest")
            every = series_observations(keys, as_of=as_of, view="all")
            by_key = ["statistic", "period"]
            assert latest.sort(by_key).equals(every.filter(pl.col("realtime_end").is_null()).sort(by_key))
            assert latest.select(by_key).is_unique().all()
        transaction.set_rollback(True)


def test_the_month_after_next_has_its_own_series_and_title() -> None:
    from metalstat.api.metadata import describe
    from metalstat.catalog import load_catalog

    sid = series_id("copper_cathode", "forecast2", "production", "", "mom_pct")
    assert sid == "M.COPPER_CATHODE.FCST2.PRODUCTION._T.MOM_PCT"
    assert sid != series_id("copper_cathode", "forecast", "production", "", "mom_pct")
    assert parse_pattern("M.COPPER_CATHODE.FCST+FCST2.PRODUCTION._T.MOM_PCT").matches(sid)
    row = {"series_id": sid, "product": "copper_cathode", "kind": "forecast2", "measure": "production",
           "breakdown": "", "statistic": "mom_pct", "unit": "%", "first": "2025-08", "last": "2025-08"}  # fmt: skip
    meta = describe(row, load_catalog())
    assert meta["title"].endswith("(forecast of the month after next)")
    assert meta["title_zh"].endswith("（下下月预测）")

"""Existing market series get a declared kind from what the report used to infer."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.core.test_migrations import _migrate

KIND = "0005_auxiliary_series_kind"
BEFORE: list[tuple[str, str | None]] = [("survey", "0003_event_reason_capacity_replacement")]
AFTER: list[tuple[str, str | None]] = [("survey", KIND)]

inferred_kind = importlib.import_module(f"metalstat.survey.migrations.{KIND}").inferred_kind


@pytest.mark.parametrize(
    ("code", "unit", "kind"),
    [
        ("port_copper_concentrate_inventory", "mt", "stock"),
        ("titanium_sponge_inventory_days", "days", "ratio"),  # days of cover, not a stock
        ("myanmar_share_of_tin_concentrate_imports", "%", "ratio"),
        ("inalum_capacity", "mt/year", "fact"),
        ("domestic_pb50_lead_concentrate_tc_high", "yuan/mt metal", "range"),
        ("shfe_lead_most_traded_price_high", "yuan/mt", "range"),
        ("chrome_ore_spot_price", "yuan/dmtu", "price"),
        ("tin_concentrate_imports", "mt", "flow"),
        ("copper_tc_spot", "USD/dmt", "price"),
        ("plant_high", "mt", "flow"),  # a "_high" in tonnes is no price range
    ],
)
def test_the_inferred_kind(code: str, unit: str, kind: str) -> None:
    assert inferred_kind(code, unit) == kind


@pytest.mark.django_db(transaction=True)
def test_existing_series_get_their_kind() -> None:
    executor = _migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("survey", "AuxiliarySeries")
    for code, unit in [("port_cu_stocks", "mt"), ("cu_tc_low", "USD/dmt"), ("tin_imports", "mt")]:
        old.objects.create(code=code, name=code.replace("_", " "), unit=unit)
    executor = _migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("survey", "AuxiliarySeries")
    assert dict(new.objects.values_list("code", "kind")) == {
        "port_cu_stocks": "stock",
        "cu_tc_low": "range",
        "tin_imports": "flow",
    }
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

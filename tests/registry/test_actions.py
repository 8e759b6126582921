from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from metalstat.catalog import load_catalog
from metalstat.core.changelog import history
from metalstat.core.models import AuditEntry
from metalstat.registry.actions import (
    do_add_capacity_record,
    do_set_panel_membership,
    do_upsert_producer,
)
from metalstat.registry.models import CapacityRecord, PanelMembership, Producer
from tests.registry.factories import COPPER, make_producer

pytestmark = pytest.mark.django_db


def test_upsert_creates_then_leaves_alone_then_updates_with_audit():
    producer, outcome = do_upsert_producer(
        "CU01", name="Plant A", product=COPPER, province="Jiangxi", actor="ana", origin="p.csv"
    )
    assert outcome == "created"
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.source) == ("create", "ana", "p.csv")
    assert entry.before is None and entry.after["name"] == "Plant A"
    assert entry.model == "registry.producer" and entry.object_id == str(producer.pk)

    _, outcome = do_upsert_producer("CU01", name="Plant A", product=COPPER, actor="ana")
    assert outcome == "unchanged"
    assert AuditEntry.objects.count() == 1

    _, outcome = do_upsert_producer("CU01", name="Plant A (new name)", actor="bo")
    assert outcome == "updated"
    change = history(producer).last()
    assert change.action == "update" and change.actor == "bo"
    assert change.before["name"] == "Plant A"
    assert change.after["name"] == "Plant A (new name)"
    assert change.changed_fields() == ["name"]
    assert Producer.objects.get().province == "Jiangxi"  # fields not passed are kept


def test_upsert_rejects_unknown_product_and_product_change():
    with pytest.raises(ValidationError) as err:
        do_upsert_producer("X1", name="X", product="unobtainium", actor="ana")
    assert "unobtainium" in str(err.value)
    assert not Producer.objects.exists()
    make_producer("CU01")
    with pytest.raises(ValidationError, match="new producer"):
        do_upsert_producer("CU01", product="zzz", actor="ana")


def test_upsert_checks_region_and_feedstock_against_the_product():
    product = load_catalog().get(COPPER)
    with pytest.raises(ValidationError) as err:
        make_producer("CU02", region="the moon")
    assert "region" in err.value.message_dict
    routes = next(d for d in product.dimensions if d.name == "feedstock").value_names()
    make_producer("CU03", region=product.regions[0], feedstock=routes[0])
    with pytest.raises(ValidationError) as err:
        make_producer("CU04", feedstock="wood")
    assert "feedstock" in err.value.message_dict
    with pytest.raises(ValidationError):
        make_producer("CU05", nature="cooperative")


def test_capacity_in_force_and_size_class():
    producer = make_producer()
    sizes = load_catalog().get(COPPER).size_classes  # largest first, smallest from 0
    big = sizes[0].min_capacity + 1000
    do_add_capacity_record(producer, date(2020, 1, 1), 50.0, actor="ana")
    do_add_capacity_record(producer, "2024-07-15", big, event="expansion", actor="ana")
    do_add_capacity_record(producer, date(2025, 3, 1), 0.0, event="closure", actor="ana")
    producer = Producer.objects.prefetch_related("capacity_records").get(pk=producer.pk)
    assert producer.capacity_at(date(2019, 12, 31)) is None
    assert producer.capacity_at(date(2024, 7, 14)) == 50.0
    assert producer.capacity_at(date(2024, 7, 15)) == big
    assert producer.capacity_at(date(2025, 3, 1)) == 0.0
    assert producer.size_class(date(2024, 8, 1)) == sizes[0].name
    assert producer.size_class(date(2021, 1, 1)) == sizes[-1].name
    assert producer.size_class(date(2019, 1, 1)) is None


def test_capacity_records_are_never_rewritten():
    producer = make_producer()
    _, outcome = do_add_capacity_record(producer, date(2024, 1, 1), 100.0, actor="ana")
    assert outcome == "created"
    _, outcome = do_add_capacity_record(producer, date(2024, 1, 1), 100.0, actor="ana")
    assert outcome == "unchanged"
    with pytest.raises(ValidationError, match="never rewritten"):
        do_add_capacity_record(producer, date(2024, 1, 1), 120.0, actor="ana")
    record, outcome = do_add_capacity_record(producer, date(2024, 1, 1), 100.0, note="confirmed by phone", actor="ana")
    assert outcome == "updated" and record.note == "confirmed by phone"
    assert CapacityRecord.objects.get().capacity == 100.0
    with pytest.raises(ValidationError):
        do_add_capacity_record(producer, date(2024, 2, 1), -1.0, actor="ana")
    creates = AuditEntry.objects.filter(model="registry.capacityrecord")
    assert [e.action for e in creates.order_by("id")] == ["create", "update"]


def test_negative_capacity_is_refused_by_the_database_too():
    producer = make_producer()
    with pytest.raises(IntegrityError), transaction.atomic():
        CapacityRecord.objects.create(producer=producer, valid_from=date(2024, 1, 1), capacity=-5)


def test_panel_memberships_do_not_overlap():
    producer = make_producer()
    _, outcome = do_set_panel_membership(producer, "2024-01", actor="ana")
    assert outcome == "created"
    with pytest.raises(ValidationError, match="overlaps"):
        do_set_panel_membership(producer, "2024-06", actor="ana")
    # Leaving the panel: the open membership gets a last period.
    _, outcome = do_set_panel_membership(producer, "2024-01", "2024-05", actor="ana")
    assert outcome == "updated"
    _, outcome = do_set_panel_membership(producer, date(2024, 6, 1), actor="ana")
    assert outcome == "created"
    with pytest.raises(ValidationError, match="overlaps"):
        do_set_panel_membership(producer, "2023-11", "2024-01", actor="ana")
    with pytest.raises(ValidationError, match="overlaps"):
        do_set_panel_membership(producer, "2024-03", "2024-04", actor="ana")
    _, outcome = do_set_panel_membership(producer, "2023-01", "2023-12", actor="ana")
    assert outcome == "created"
    assert PanelMembership.objects.count() == 3
    membership = PanelMembership.objects.get(first_period=date(2024, 6, 1))
    assert membership.covers(date(2030, 1, 1)) and not membership.covers(date(2024, 5, 1))


def test_panel_membership_periods_are_months():
    producer = make_producer()
    with pytest.raises(ValidationError, match="first day"):
        do_set_panel_membership(producer, date(2024, 1, 15), actor="ana")
    with pytest.raises(ValidationError, match="before it starts"):
        do_set_panel_membership(producer, "2024-05", "2024-01", actor="ana")
    with pytest.raises(ValidationError):
        do_set_panel_membership(producer, "May 2024", actor="ana")


def test_model_validation_rejects_overlap_outside_actions():
    producer = make_producer()
    do_set_panel_membership(producer, "2024-01", "2024-12", actor="ana")
    clash = PanelMembership(producer=producer, first_period=date(2024, 12, 1))
    with pytest.raises(ValidationError, match="overlaps"):
        clash.full_clean()


def test_actions_need_a_named_actor():
    with pytest.raises(ValueError):
        do_upsert_producer("CU09", name="X", product=COPPER, actor="")


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("cu01", "differs from the registered 'CU01' only in letter case"),
        ("ＣＵ０１", "write the code in plain characters: 'CU01'"),
        ("CU\u200b02", "invisible character U+200B"),
        ("CU\x0003", "invisible character U+0000"),
    ],
)
def test_a_new_producer_code_is_checked_as_the_import_checks_it(code, says):
    """The action (behind the admin, the workspace and the import) refuses what the import
    refuses: a case-only near-duplicate, a code that is not in plain characters, an invisible
    character; nothing is written."""
    make_producer("CU01")
    before = (Producer.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as err:
        do_upsert_producer(code, name="Plant", product=COPPER, actor="ana")
    assert says in str(err.value)
    assert (Producer.objects.count(), AuditEntry.objects.count()) == before

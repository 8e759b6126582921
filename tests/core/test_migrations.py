"""The audit log's move from the registry to core keeps every row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The schema as it was before the move: the registry's first migration, nothing of core.
BEFORE = [("registry", "0001_initial"), ("core", None)]
AFTER = [("registry", "0002_auditentry_moves_to_core"), ("core", "0001_initial")]


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_audit_entries_survive_the_move_to_core() -> None:
    executor = _migrate(BEFORE)
    old = executor.loader.project_state(BEFORE[:1]).apps.get_model("registry", "AuditEntry")
    old.objects.create(
        actor="analyst",
        action="create",
        model="registry.producer",
        object_id="7",
        object_repr="CU001",
        before=None,
        after={"name": "Lakeside"},
        source="file.csv",
    )
    old.objects.create(
        actor="import",
        action="update",
        model="registry.producer",
        object_id="7",
        before={"name": "Lakeside"},
        after={"name": "Lakeside Copper"},
    )
    tables = connection.introspection.table_names()
    assert "registry_auditentry" in tables and "core_auditentry" not in tables

    executor = _migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("core", "AuditEntry")
    rows = list(new.objects.order_by("id").values_list("actor", "action", "before", "after"))
    assert rows == [
        ("analyst", "create", None, {"name": "Lakeside"}),
        ("import", "update", {"name": "Lakeside"}, {"name": "Lakeside Copper"}),
    ]
    tables = connection.introspection.table_names()
    assert "core_auditentry" in tables and "registry_auditentry" not in tables
    # A new entry gets a fresh id after the moved ones (the sequence moved with the table).
    third = new.objects.create(actor="x", action="delete", model="m", object_id="1")
    assert third.id > max(r for r in new.objects.exclude(id=third.id).values_list("id", flat=True))

    # Back to the latest schema for the tests that follow.
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

"""The importable kinds by name, each owned by its app: the register's producers, capacity
and panel (``registry.imports``), the survey's returns, events and market series
(``survey.imports``, ``survey.returns_import``)."""

from __future__ import annotations

from metalstat.core.tabular.columns import KindSchema
from metalstat.core.tabular.runner import Handler
from metalstat.registry.imports import CapacityHandler, PanelHandler, ProducersHandler
from metalstat.survey.imports import AuxiliaryHandler, EventsHandler
from metalstat.survey.returns_import import ReturnsHandler

HANDLERS: dict[str, type[Handler]] = {
    h.schema.kind: h
    for h in (
        ProducersHandler,
        CapacityHandler,
        PanelHandler,
        ReturnsHandler,
        EventsHandler,
        AuxiliaryHandler,
    )
}
KINDS = tuple(HANDLERS)
SCHEMAS: dict[str, KindSchema] = {kind: h.schema for kind, h in HANDLERS.items()}


def handler(kind: str) -> Handler:
    """A fresh handler of ``kind`` (handlers keep per-file state between check and apply)."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    return HANDLERS[kind]()

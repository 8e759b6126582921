"""gunicorn hooks for ``metalstat serve``."""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    """Before the worker takes its first request: build the public series index, and compile
    the report's paragraph templates of every language (about a second each, paid otherwise by
    the first product page of each language: its drafted analysis)."""
    from django.db import connections

    from metalstat.releases.queries import current_series_index
    from metalstat.report.language import available_languages, load_language

    current_series_index(preview=False)
    connections.close_all()
    for code in available_languages():
        load_language(code).paragraphs  # noqa: B018 (compiled once, kept by the language)
    worker.log.info("series index and report templates ready")

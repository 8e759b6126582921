"""Time the import of a 50,000-row returns CSV (first import, then the same file again).

Run by hand, on an empty database of its own:

    METALSTAT_DATA_DIR=$(mktemp -d) .venv/bin/python bench/imports.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/metalstat_bench \
        .venv/bin/python bench/imports.py

2,500 copper producers x 20 months; outputs run at 80 % of capacity every day, so no
validation rule fires and the time is the importer's own.
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

PRODUCERS = 2500
MONTHS = 20


def main() -> None:
    from metalstat.core.startup import setup_django

    setup_django(migrate=True)
    from django.db import connection

    from metalstat.engine.calendar import add_months, days_in_month
    from metalstat.registry.models import CapacityRecord, PanelMembership, Producer
    from metalstat.spreadsheets.importing import import_file

    if Producer.objects.exists():
        sys.exit("run the benchmark on an empty database")
    producers = Producer.objects.bulk_create(
        Producer(code=f"B{i:05d}", name=f"Bench plant {i}", product="copper_cathode") for i in range(PRODUCERS)
    )
    capacity = {p.code: 36500.0 * (1 + i % 10) for i, p in enumerate(producers)}
    CapacityRecord.objects.bulk_create(
        CapacityRecord(producer=p, valid_from=date(2020, 1, 1), capacity=capacity[p.code]) for p in producers
    )
    PanelMembership.objects.bulk_create(PanelMembership(producer=p, first_period=date(2020, 1, 1)) for p in producers)
    months = [add_months(date(2024, 1, 1), k) for k in range(MONTHS + 1)]

    def output(code: str, month: date) -> float:
        return round(capacity[code] * 0.8 * days_in_month(month) / 365, 3)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "returns_50k.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["producer", "period", "output", "schedule", "status", "reason"])
            for m, month in enumerate(months[:-1]):
                for p in producers:
                    w.writerow(
                        [p.code, f"{month:%Y-%m}", output(p.code, month), output(p.code, months[m + 1]), "normal", ""]
                    )
        rows = PRODUCERS * MONTHS
        for label in ("first import", "same file again"):
            stages = StageTimes()
            t0 = time.perf_counter()
            result = import_file("returns", path, actor="bench", display_name=path.name, progress=stages)
            seconds = time.perf_counter() - t0
            print(
                f"{connection.vendor}: {label}: {rows} rows in {seconds:.1f} s "
                f"({rows / seconds:,.0f} rows/s): {result.summary()}"
            )
            print("   " + stages.report())


class StageTimes:
    """A progress sink that notes how long each stage of the import took."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []

    def stage(self, name: str, total: int | None) -> None:  # noqa: ARG002 (ProgressSink)
        self.marks.append((name, time.perf_counter()))

    def advance(self, n: int = 1) -> None:
        pass

    def report(self) -> str:
        ends = [t for _, t in self.marks[1:]] + [time.perf_counter()]
        return ", ".join(f"{n}: {e - t:.1f} s" for (n, t), e in zip(self.marks, ends, strict=True))


if __name__ == "__main__":
    main()

"""Fixtures of the spreadsheet tests: the corpus folder and XLSX files built with openpyxl."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import openpyxl
import pytest

CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture
def corpus() -> Path:
    return CORPUS


XlsxMaker = Callable[..., Path]


@pytest.fixture
def make_xlsx(tmp_path: Path) -> XlsxMaker:
    """Write rows (first row = header) to a one-sheet workbook; returns its path."""

    def make(
        name: str,
        rows: Sequence[Sequence[object]],
        sheet: str = "returns",
        merge: Sequence[str] = (),
        extra_sheets: Sequence[str] = (),
    ) -> Path:
        wb = openpyxl.Workbook()
        ws = wb.active
        assert ws is not None
        for side in extra_sheets:
            wb.create_sheet(side, 0)
        ws.title = sheet
        for row in rows:
            ws.append(list(row))
        for rng in merge:
            ws.merge_cells(rng)
        path = tmp_path / name
        wb.save(path)
        return path

    return make

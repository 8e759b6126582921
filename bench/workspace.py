"""The workspace's board on a built database (``metalstat demo`` first): seconds and queries
of ``workspace.board.month_board`` for a month, median of 3 after a warm-up.

    METALSTAT_DATA_DIR=... python bench/workspace.py 2025-06
"""

from __future__ import annotations

import json
import statistics
import sys
import time

from metalstat.core.startup import setup_django


def main(month: str) -> None:
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from metalstat.core.periods import as_period
    from metalstat.workspace.board import month_board

    period = as_period(month)
    month_board(period)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            board = month_board(period)
        times.append(time.perf_counter() - start)
    print(
        json.dumps(
            {
                "month": month,
                "products": len(board.rows),
                "panel": board.totals["panel"],
                "queries": len(queries.captured_queries),
                "seconds": round(statistics.median(times), 2),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "2025-06")

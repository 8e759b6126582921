"""How large an imported file may be, checked before the file is read whole.

One place for every size limit of an import, each with the reason for its value. A file over
a limit is refused with a message naming the limit; nothing of it is typed or written. The
largest real files (a year of returns for every product, the 50,000-row import benchmark)
stay far below each limit.

The reading code looks the values up on this module at call time, so a test may lower one.
"""

from __future__ import annotations

MiB = 1024 * 1024

# The file as stored: a 50,000-row returns CSV is about 2 MiB.
MAX_FILE_BYTES = 50 * MiB
# Data rows of one sheet or CSV file (the header not counted): the benchmark imports 50,000.
MAX_ROWS = 200_000
# Cells of one sheet (rows x columns, the header included): 200,000 rows of 25 columns.
MAX_CELLS = 5_000_000
# Sheets of a workbook: the data sheet, the template's instructions, and a few more (which
# are refused by name, not by this limit).
MAX_SHEETS = 20
# The sum of an XLSX's zip members uncompressed (file_size), before openpyxl opens it: a zip
# bomb of a few kilobytes would inflate to gigabytes in memory. XML takes about 100 bytes a
# cell, so MAX_CELLS fit in about 500 MiB; the inflated limit is that with room to spare.
MAX_XLSX_INFLATED_BYTES = 600 * MiB
# The largest magnitude a number cell may hold: far above any quantity of the survey (the
# largest capacity bound is 5e7 tonnes a year), far below where a float stops being exact or
# finite (a text "1e309" is a finite decimal but an infinite float).
MAX_NUMBER = 1e15


def describe() -> list[str]:
    """The limits as lines for documentation and messages."""
    return [
        f"file size: {MAX_FILE_BYTES // MiB} MiB",
        f"rows: {MAX_ROWS:,}",
        f"cells of a sheet: {MAX_CELLS:,}",
        f"sheets of a workbook: {MAX_SHEETS}",
        f"XLSX uncompressed: {MAX_XLSX_INFLATED_BYTES // MiB} MiB",
        f"largest number: {MAX_NUMBER:g}",
    ]

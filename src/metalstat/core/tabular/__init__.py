"""Tabular files in and out: read a CSV or XLSX sheet, type its cells by a kind's columns,
locate every problem (file, sheet, row, column, value, reason), run an import all-or-nothing,
and write CSV/XLSX that reads back as the same values.

The kinds themselves (their columns, checks against the register, writes) belong to the
apps: ``registry.imports`` and ``survey.imports``; ``metalstat.spreadsheets`` dispatches a
kind's name to them.
"""

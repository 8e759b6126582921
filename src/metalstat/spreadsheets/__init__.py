"""Spreadsheet and CSV imports, returns templates and exports.

``metalstat import KIND FILE`` reads a CSV (UTF-8) or XLSX file of one kind (producers,
capacity, panel, returns, events, auxiliary), checks every row, and writes all of it in one
transaction or nothing. ``metalstat template returns`` writes the month's returns workbook for
analysts to fill in; ``metalstat export`` writes any kind back out in the same columns.
"""

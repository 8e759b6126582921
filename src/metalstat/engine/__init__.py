"""The statistics engine: validate, impute, estimate, indicators and forecast for one month.

Pure: plain Python on polars frames. No Django, no database, no files. Everything that is
statistics lives here; the apps call it and never re-implement it.
"""

"""Shared plumbing every app may use: the audit log, action outcomes and actors, month and
date parsing, Django start-up for commands, and the tabular (CSV/XLSX) machinery.

``core`` imports no domain app (registry, survey, releases, report, demo); only the pure
libraries ``catalog`` and ``engine`` and Django itself.
"""

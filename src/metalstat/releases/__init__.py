"""Releases: the figures of a month as a vintage, review, approval and embargoed publication."""

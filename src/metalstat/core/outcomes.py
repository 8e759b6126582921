"""What an action did to the object it was given, as every ``do_*`` action reports it."""

from __future__ import annotations

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
REVISED = "revised"  # a return's changed answer: a new revision beside the old one

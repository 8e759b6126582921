"""What the release workflow tells the boxes above it, without importing them.

``release_timed`` is sent inside the publishing transaction whenever a release's public time
is set, moved or taken back: ``release`` (after the change), ``release_at`` (the new time, or
None when the release was withdrawn) and ``previous`` (the time before, or None) and ``backfill`` (history loaded as
released earlier: nobody is to be told of it now). A receiver
that writes to the database writes in the same transaction, so a rolled-back publish leaves
nothing behind.
"""

from __future__ import annotations

from django.dispatch import Signal

release_timed = Signal()

"""The data API (``/api/v1/``): thin routes over ``releases.queries`` (what is published,
when, in which vintage) and ``subscriptions`` (who may read which series)."""

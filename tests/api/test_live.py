"""The README's one-liner: pandas reads a series straight from a running server."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pandas as pd
import pytest

from tests.api.conftest import COPPER_LEVEL, World


@pytest.mark.django_db(transaction=True)
def test_pandas_reads_a_series_now_and_as_of_the_end_of_may(live_server: Any, world: World) -> None:
    url = f"{live_server.url}/api/v1/series/{COPPER_LEVEL}/observations.csv"
    auth = {"Authorization": f"Bearer {world.keys['subscriber']}"}
    now = pd.read_csv(url, storage_options=auth)
    assert now[["period", "value", "release"]].values.tolist() == [
        ["2025-04", 1000.0, "2025-06.v1"],
        ["2025-05", 1080.0, "2025-06.v1"],
        ["2025-06", 1188.0, "2025-06.v1"],
    ]
    assert world.june.release_at is not None
    # the end of the day before June's release: the May release is the newest one then
    day_before = (world.june.release_at - timedelta(days=1)).date().isoformat()
    then = pd.read_csv(f"{url}?as_of={day_before}", storage_options=auth)
    assert then["value"].tolist() == [1000.0, 1100.0]  # May as first published; now 1080
    with pytest.raises(Exception, match="403"):
        pd.read_csv(url.replace("COPPER_CATHODE", "NPI"), storage_options=auth)

"""The README's one-liners, the issue's "done when": with the key the demo prints, pandas reads
copper cathode's production from a running server as known at the end of May 2025 and as
known now, and sees May's revision between them; a key without the product gets 403."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from metalstat.demo.dissemination import demo_subscriber, publish_correction
from metalstat.demo.generator import generate
from metalstat.demo.load import load
from metalstat.demo.pipeline import run_and_publish
from metalstat.releases.models import Figure, Release, SampleUnit
from tests.api.conftest import COPPER_LEVEL


def _may(release: Release) -> float:
    return Figure.objects.get(
        release=release, product="copper_cathode", kind="actual", measure="production", breakdown="",
        statistic="level", period="2025-05",
    ).value  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_pandas_reads_copper_as_known_at_the_end_of_may_and_now(live_server: Any) -> None:
    # The demo's chain for copper alone: May and June 2025, then May's correction, then the
    # demo subscriber and its printed key.
    data = generate(products=["copper_cathode"])
    load(data)
    run_and_publish(data, [date(2025, 5, 1), date(2025, 6, 1)])
    correction = publish_correction()
    _, key, _ = demo_subscriber()

    # The README's lines, as written there (with the server's address).
    url = f"{live_server.url}/api/v1/series/M.COPPER_CATHODE.ACT.PRODUCTION._T.LEVEL/observations.csv"
    auth = {"Authorization": f"Bearer {key}"}
    now = pd.read_csv(url, storage_options=auth)  # as known now
    then = pd.read_csv(url + "?as_of=2025-05-31", storage_options=auth)  # as known at the end of May 2025
    revision = now.set_index("period")["value"] - then.set_index("period")["value"]

    first, corrected = Release.objects.get(period=date(2025, 5, 1), vintage=1), correction.release
    assert then["period"].iloc[-1] == "2025-05" and set(then["release"]) == {"2025-05.v1"}
    assert now["period"].iloc[-1] == "2025-06"
    assert then.set_index("period").loc["2025-05", "value"] == pytest.approx(_may(first))
    assert now.set_index("period").loc["2025-05", "release"] == "2025-05.v2"
    assert now.set_index("period").loc["2025-05", "value"] == pytest.approx(_may(corrected))
    # By hand: one producer's output rose by 2 %, expanded by its weight.
    weight = SampleUnit.objects.get(release=corrected, producer=correction.producer, period=date(2025, 5, 1)).weight
    assert revision.loc["2025-05"] == pytest.approx(weight * (correction.corrected - correction.first), rel=1e-6)
    assert revision.loc["2025-05"] > 0
    # The months before May were not revised.
    assert (revision.drop(["2025-05", "2025-06"], errors="ignore").dropna().abs() < 1e-6).all()

    # A key whose subscription lacks the product: 403, with the reason.
    from metalstat.subscriptions.actions import (
        do_add_subscriber,
        do_create_api_key,
        do_create_organisation,
        do_grant_subscription,
    )

    org = do_create_organisation("Rare earths desk", actor="admin")
    do_grant_subscription(org, "Rare earths", groups=["rare_earths"], actor="admin")
    other = do_create_api_key(do_add_subscriber("magnets", org, actor="admin").user, "k", actor="admin")[1]
    with pytest.raises(Exception, match="403"):
        pd.read_csv(url, storage_options={"Authorization": f"Bearer {other}"})
    assert COPPER_LEVEL in url

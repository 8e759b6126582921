"""No lost updates: two people edit the same return, producer or commentary; the second save
is refused with the other person's change, and nothing of it is written."""

from __future__ import annotations

import pytest

from metalstat.core.concurrency import Conflict, version_of
from metalstat.registry.actions import do_upsert_producer
from metalstat.releases.actions import do_set_commentary
from metalstat.releases.models import Commentary
from metalstat.survey.actions import do_record_return
from metalstat.survey.models import SurveyReturn
from tests.registry.factories import make_producer

pytestmark = pytest.mark.django_db


def test_the_second_save_of_a_return_is_refused_showing_the_first() -> None:
    make_producer("CU01")
    do_record_return("CU01", "2025-06", output=1_000.0, actor="ana", source="phone")
    # Ana and Bo both open revision 1. Ana saves 1,100 first.
    assert do_record_return("CU01", "2025-06", output=1_100.0, actor="ana", source="phone", expected_revision=1)
    with pytest.raises(Conflict) as conflict:
        do_record_return("CU01", "2025-06", output=1_050.0, actor="bo", source="phone", expected_revision=1)
    text = conflict.value.messages[0]
    assert "the return of CU01 for 2025-06 was changed by ana" in text
    assert "output: 1000.0 → 1100.0" in text and "Nothing was saved" in text
    assert list(SurveyReturn.objects.filter(producer__code="CU01").values_list("output", flat=True)) == [
        1_000.0,
        1_100.0,
    ]
    # Bo reloads (revision 2) and saves again: accepted.
    assert do_record_return("CU01", "2025-06", output=1_050.0, actor="bo", source="phone", expected_revision=2)


def test_a_first_return_entered_twice_at_once() -> None:
    make_producer("CU01")
    do_record_return("CU01", "2025-06", output=900.0, actor="ana", source="phone", expected_revision=0)
    with pytest.raises(Conflict, match="changed by ana"):
        do_record_return("CU01", "2025-06", output=950.0, actor="bo", source="phone", expected_revision=0)


def test_the_second_save_of_a_producer_is_refused() -> None:
    producer = make_producer("CU01", province="Jiangxi")
    seen = version_of(producer)
    do_upsert_producer("CU01", province="Anhui", actor="ana", expected_version=seen)
    with pytest.raises(Conflict) as conflict:
        do_upsert_producer("CU01", province="Hubei", actor="bo", expected_version=seen)
    assert "producer CU01 was changed by ana" in str(conflict.value) and "province: Jiangxi → Anhui" in str(
        conflict.value
    )
    producer.refresh_from_db()
    assert producer.province == "Anhui"


def test_the_second_save_of_a_commentary_is_refused() -> None:
    args = ("2025-06", "copper_cathode", "drivers")
    first, _ = do_set_commentary(*args, "Smelters ran hard.", actor="ana", expected_version="")
    seen = version_of(first)
    do_set_commentary(*args, "Smelters ran hard after maintenance.", actor="ana", expected_version=seen)
    with pytest.raises(Conflict) as conflict:
        do_set_commentary(*args, "Output rose.", actor="bo", expected_version=seen)
    assert "text: Smelters ran hard. → Smelters ran hard after maintenance." in str(conflict.value)
    assert Commentary.objects.get().text == "Smelters ran hard after maintenance."
    # A second "new" paragraph for the same slot is a conflict too.
    with pytest.raises(Conflict):
        do_set_commentary(*args, "Output rose.", actor="bo", expected_version="")

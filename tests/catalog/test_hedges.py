"""Hedge words: hand-worked ranges from the report's own uses, and the rule that a drafted word
is always admitted by the number it describes."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metalstat.catalog.hedges import (
    DIRECTION_HEDGES,
    HEDGES,
    VALUE_HEDGES,
    WORDS,
    admits,
    describe_change,
    direction_of,
)


@pytest.mark.parametrize(
    ("hedge", "stated", "res", "actual", "ok"),
    [
        # exact: the stated number is the true one rounded to its step
        ("exact", 12.93, 0.01, 12.934, True),
        ("exact", 12.93, 0.01, 12.925, True),  # boundary of rounding is admitted
        ("exact", 12.93, 0.01, 12.936, False),
        ("exact", -3400, 100, -3449, True),
        ("exact", -3400, 100, -3351, True),
        ("exact", -3400, 100, -3300, False),
        ("exact", 0, 1, 0.4, True),
        ("exact", 0, 1, -0.6, False),
        # approximately 7%: |x - 7| <= 0.5
        ("approximately", 7, 1, 6.5, True),
        ("approximately", 7, 1, 7.5, True),
        ("approximately", 7, 1, 7.6, False),
        ("approximately", 45_690_000, 10_000, 45_694_999, True),
        ("approximately", 45_690_000, 10_000, 45_700_001, False),
        # nearly 2%: 1.5 <= x < 2
        ("nearly", 2, 1, 1.5, True),
        ("nearly", 2, 1, 1.99, True),
        ("nearly", 2, 1, 2.0, False),
        ("nearly", 2, 1, 1.49, False),
        # "fell nearly 30%": -30 < x <= -29.5, never a rise
        ("nearly", -30, 1, -29.7, True),
        ("nearly", -30, 1, -30.0, False),
        ("nearly", -30, 1, 29.7, False),
        # over 21%: 21 < x <= 23
        ("over", 21, 1, 21.01, True),
        ("over", 21, 1, 23, True),
        ("over", 21, 1, 21, False),
        ("over", 21, 1, 23.2, False),
        ("over", 1.5, 0.5, 2.4, True),
        ("over", 1.5, 0.5, 2.6, False),
        # "down by more than 10%" at a step of 5: -20 <= x < -10
        ("over", -10, 5, -12, True),
        ("over", -10, 5, -10, False),
        ("over", -10, 5, -21, False),
        ("over", -10, 5, 12, False),
        # under 50% at a step of 10: 30 <= x < 50
        ("under", 50, 10, 49.9, True),
        ("under", 50, 10, 30, True),
        ("under", 50, 10, 50, False),
        ("under", 50, 10, 29, False),
    ],
)
def test_value_hedges(hedge: str, stated: float, res: float, actual: float, ok: bool) -> None:
    assert admits(hedge, stated, res, actual) is ok


@pytest.mark.parametrize(
    ("hedge", "direction", "actual", "ok"),
    [
        # the report's "slight decline" of copper cathode, -0.3%
        ("slightly", "down", -0.3, True),
        ("slightly", "down", -4.99, True),
        ("slightly", "down", -5.0, False),
        ("slightly", "down", 0.3, False),  # wrong way
        ("slightly", "down", 0.0, False),  # no change is not a decline
        ("slightly", "up", 4.5, True),  # Pr-Nd alloy "rose slightly", 4.5%
        # the ferrochrome and primary lead "largely stable" months: -0.83%, -0.78%
        ("largely_stable", "flat", -0.83, True),
        ("largely_stable", "flat", 0.99, True),
        ("largely_stable", "flat", 1.0, False),
        ("flat", "flat", 0.49, True),
        ("flat", "flat", -0.5, False),
        # alumina's "notable" rebound of operating capacity, +3.14%
        ("notable", "up", 3.14, True),
        ("notable", "up", 2.9, False),
        ("significantly", "down", -6.94, True),
        ("significantly", "down", -4.9, False),
        ("sharply", "down", -21.5, True),  # antimony
        ("sharply", "down", -9.9, False),
        ("direction", "up", 0.01, True),
        ("direction", "up", 0.0, False),
        ("direction", "down", -100.0, True),
        # "remain flat or drop slightly": from a hair above zero down to -5
        ("flat_or_slightly", "down", 0.3, True),
        ("flat_or_slightly", "down", -4.0, True),
        ("flat_or_slightly", "down", 0.6, False),
        ("flat_or_slightly", "down", -5.5, False),
    ],
)
def test_direction_hedges(hedge: str, direction: str, actual: float, ok: bool) -> None:
    assert admits(hedge, None, None, actual, direction=direction) is ok  # type: ignore[arg-type]


def test_word_with_number_checks_both() -> None:
    # "increased slightly by 2%": 2 rounded at a step of 1, and a slight rise
    assert admits("slightly", 2, 1, 2.4)
    assert not admits("slightly", 2, 1, 2.6)  # outside the rounding of 2
    # a number the word cannot describe: 5.2% is not slight
    assert not admits("slightly", 5.2, 0.1, 5.2)


def test_misuse_is_an_error() -> None:
    with pytest.raises(KeyError, match="unknown hedge 'roughly'"):
        admits("roughly", 1, 1, 1)
    with pytest.raises(ValueError, match="give stated and resolution"):
        admits("nearly", None, None, 1.0)
    with pytest.raises(ValueError, match="needs a direction"):
        admits("slightly", None, None, 1.0)
    with pytest.raises(ValueError, match="not 'flat'"):
        admits("slightly", None, None, 1.0, direction="flat")
    with pytest.raises(ValueError, match="resolution"):
        admits("exact", 1, 0, 1.0)
    assert not admits("exact", 1, 1, math.nan)


@pytest.mark.parametrize(
    ("pct", "key", "direction"),
    [
        (0.0, "flat", "flat"),
        (-0.49, "flat", "flat"),
        (0.5, "slightly", "up"),
        (-0.3001, "flat", "flat"),
        (-4.99, "slightly", "down"),
        (5.0, "significantly", "up"),
        (-9.99, "significantly", "down"),
        (10.0, "sharply", "up"),
        (-21.5, "sharply", "down"),
    ],
)
def test_describe_change_thresholds(pct: float, key: str, direction: str) -> None:
    assert describe_change(pct) == key
    assert direction_of(pct) == direction


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False))
def test_drafted_word_is_always_admitted(pct: float) -> None:
    assert admits(describe_change(pct), None, None, pct, direction=direction_of(pct))


@given(
    st.floats(min_value=-1e4, max_value=1e4, allow_nan=False),
    st.sampled_from([0.01, 0.1, 0.5, 1.0, 5.0, 100.0]),
)
def test_rounded_value_is_admitted_exactly(x: float, res: float) -> None:
    stated = round(x / res) * res
    assert admits("exact", stated, res, x)
    assert admits("approximately", stated, res, x)


def test_tables_are_complete() -> None:
    assert set(HEDGES) == {h.key for h in VALUE_HEDGES} | {h.key for h in DIRECTION_HEDGES}
    # every word the report uses maps to one key, written in lower case
    for word, key in WORDS.items():
        assert word == word.lower()
        assert key in HEDGES
    for word in ("nearly", "over", "approximately", "around", "about", "slightly", "edged up"):
        assert word in WORDS
    for word in ("largely stable", "basically flat", "mild", "substantial", "sharply"):
        assert word in WORDS
    assert WORDS["more than"] == "over"
    assert WORDS["substantial"] == "significantly"

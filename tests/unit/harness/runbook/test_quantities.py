"""Quantities as runbooks write them: every spelling of a duration, a percentage and a
comparison word reads as one value in the suite's unit."""

import re

import pytest

from runbook_drill.harness.runbook.quantities import ABOVE, DURATION, PERCENT, fraction, milliseconds, seconds, whole


@pytest.mark.parametrize("text,ms", [
    ("500ms", 500), ("500 ms", 500), ("0.5s", 500), ("0.5 seconds", 500), ("500 milliseconds", 500),
    ("1 second", 1000), (".75 sec", 750), ("2 min", 120000), ("1hr", 3600000), ("1.5 hours", 5400000),
])
def test_a_duration_in_any_common_unit_is_its_milliseconds(text, ms):
    match = re.fullmatch(DURATION, text, re.IGNORECASE)
    assert match and milliseconds(*match.groups()) == ms


def test_ms_is_never_read_as_minutes_nor_a_word_starting_with_a_unit_as_that_unit():
    assert re.fullmatch(DURATION, "5ms").group(2) == "ms"
    assert re.match(DURATION, "5 meters") is None and re.match(DURATION, "30 minutesx") is None


@pytest.mark.parametrize("text", ["1%", "1 %", "1 percent", "1 per cent", "1.0%"])
def test_a_percentage_in_any_spelling_is_its_fraction(text):
    match = re.fullmatch(PERCENT, text, re.IGNORECASE)
    assert match and fraction(match.group(1)) == 0.01


@pytest.mark.parametrize("word", [">", ">=", "over", "above", "more than", "greater  than", "exceeds", "Higher than"])
def test_a_comparison_word_stands_for_the_sign(word):
    assert re.fullmatch(ABOVE, word, re.IGNORECASE)


def test_a_whole_number_of_seconds_is_an_int_and_a_fraction_stays_a_float():
    assert whole(seconds("5", "minutes")) == 300 and isinstance(whole(300.0), int) and whole(0.5) == 0.5

"""Office hours as an SMS tells them: days in the caller's language, wrapping round the week."""

from __future__ import annotations

from datetime import time

from hotline.sms.hours import DASH, describe_hours


def test_a_run_of_days_wraps_round_the_week() -> None:
    text = describe_hours({"sat", "sun", "mon", "tue", "wed"}, time(8), time(16), "en")
    assert text == f"Sat{DASH}Wed 08:00{DASH}16:00"


def test_days_apart_are_listed() -> None:
    assert describe_hours({"mon", "thu"}, time(9), time(12, 30), "en") == f"Mon, Thu 09:00{DASH}12:30"


def test_every_day_and_midnight() -> None:
    every = describe_hours({"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, time(0), time.max, "en")
    assert every == f"Mon{DASH}Sun 00:00{DASH}24:00"


def test_day_names_in_the_callers_language_and_an_unknown_locale_reads_in_english() -> None:
    assert describe_hours({"mon", "tue", "wed"}, time(9), time(17), "id") == f"Sen{DASH}Rab 09:00{DASH}17:00"
    assert describe_hours({"mon", "tue", "wed"}, time(9), time(17), "rhg").startswith(f"Mon{DASH}Wed")


def test_preloading_reads_each_locales_day_names_once() -> None:
    from hotline.sms import hours

    hours._day_names.cache_clear()
    hours.preload(["fa_AF", "ur", "fa_AF"])
    assert hours._day_names.cache_info().currsize == 2
    describe_hours({"sat"}, time(8), time(16), "ur")
    assert hours._day_names.cache_info().misses == 2  # the acknowledgement reads nothing more

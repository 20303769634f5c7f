"""Explicit cases for business-hours maths; the oracle comparison is in the properties file."""

import copy
import pickle
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sla.business_hours import (
    Calendar,
    CalendarError,
    Span,
    add_working_minutes,
    calendar_from_config,
    is_working_instant,
    next_working_instant,
    working_minutes_between,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS_9_TO_5 = {day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BERLIN_OFFICE = calendar_from_config("Europe/Berlin", WEEKDAYS_9_TO_5)


def at(zone: ZoneInfo, *parts: int, fold: int = 0) -> datetime:
    """An aware local datetime; ``fold=1`` picks the second occurrence of a repeated time."""
    return datetime(*parts, tzinfo=zone, fold=fold)  # type: ignore[misc]


def every_day(span: str, zone: str = "Europe/Berlin") -> Calendar:
    return calendar_from_config(zone, {day: [span] for day in EVERY_DAY})


# DST: durations are real elapsed time.


def test_berlin_spring_forward_span_holds_two_real_hours() -> None:
    calendar = every_day("01:00-04:00")
    day = working_minutes_between(at(BERLIN, 2026, 3, 29), at(BERLIN, 2026, 3, 30), calendar)
    deadline = add_working_minutes(at(BERLIN, 2026, 3, 29, 1), 120, calendar)
    assert day == 120
    assert deadline == datetime(2026, 3, 29, 2, tzinfo=UTC)  # 04:00 CEST


def test_berlin_fall_back_span_counts_the_repeated_hour_twice() -> None:
    calendar = every_day("00:00-04:00")
    day = working_minutes_between(at(BERLIN, 2026, 10, 25), at(BERLIN, 2026, 10, 26), calendar)
    deadline = add_working_minutes(at(BERLIN, 2026, 10, 25), 300, calendar)
    assert day == 300
    assert deadline == datetime(2026, 10, 25, 3, tzinfo=UTC)  # 04:00 CET


def test_new_york_spring_forward_span_holds_two_real_hours() -> None:
    calendar = every_day("01:00-04:00", "America/New_York")
    day = working_minutes_between(at(NEW_YORK, 2026, 3, 8), at(NEW_YORK, 2026, 3, 9), calendar)
    deadline = add_working_minutes(at(NEW_YORK, 2026, 3, 8, 1), 120, calendar)
    assert day == 120
    assert deadline == datetime(2026, 3, 8, 8, tzinfo=UTC)  # 04:00 EDT


def test_new_york_fall_back_span_counts_the_repeated_hour_twice() -> None:
    calendar = every_day("00:00-04:00", "America/New_York")
    day = working_minutes_between(at(NEW_YORK, 2026, 11, 1), at(NEW_YORK, 2026, 11, 2), calendar)
    deadline = add_working_minutes(at(NEW_YORK, 2026, 11, 1), 300, calendar)
    assert day == 300
    assert deadline == datetime(2026, 11, 1, 9, tzinfo=UTC)  # 04:00 EST


def test_span_starting_in_the_skipped_hour_opens_when_clocks_resume() -> None:
    calendar = every_day("02:30-04:00")
    opening = next_working_instant(at(BERLIN, 2026, 3, 29), calendar)
    day = working_minutes_between(at(BERLIN, 2026, 3, 29), at(BERLIN, 2026, 3, 30), calendar)
    assert opening == datetime(2026, 3, 29, 1, tzinfo=UTC)  # 03:00 CEST
    assert day == 60


def test_both_occurrences_of_a_repeated_local_time_are_working() -> None:
    calendar = every_day("02:00-03:00")
    first, second = at(BERLIN, 2026, 10, 25, 2, 30), at(BERLIN, 2026, 10, 25, 2, 30, fold=1)
    assert second - first == timedelta(0)  # same wall time; the real instants differ by an hour
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=1)
    assert is_working_instant(first, calendar)
    assert is_working_instant(second, calendar)


# Starting outside working hours.


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        pytest.param(
            at(BERLIN, 2026, 6, 1, 7, 30), at(BERLIN, 2026, 6, 1, 10), id="before-opening"
        ),
        pytest.param(at(BERLIN, 2026, 6, 1, 18), at(BERLIN, 2026, 6, 2, 10), id="after-closing"),
        pytest.param(at(BERLIN, 2026, 6, 6, 11), at(BERLIN, 2026, 6, 8, 10), id="saturday"),
    ],
)
def test_counting_starts_at_the_next_opening(start: datetime, expected: datetime) -> None:
    assert add_working_minutes(start, 60, BERLIN_OFFICE) == expected


def test_next_working_instant_from_saturday_is_monday_opening() -> None:
    opening = next_working_instant(at(BERLIN, 2026, 6, 6, 11), BERLIN_OFFICE)
    assert opening == at(BERLIN, 2026, 6, 8, 9)
    assert opening.tzinfo is UTC


def test_next_working_instant_inside_hours_is_the_moment_itself() -> None:
    moment = at(BERLIN, 2026, 6, 1, 12, 34, 56)
    assert next_working_instant(moment, BERLIN_OFFICE) == moment


def test_span_start_is_working_and_span_end_is_not() -> None:
    assert is_working_instant(at(BERLIN, 2026, 6, 1, 9), BERLIN_OFFICE)
    assert is_working_instant(at(BERLIN, 2026, 6, 1, 16, 59, 59), BERLIN_OFFICE)
    assert not is_working_instant(at(BERLIN, 2026, 6, 1, 17), BERLIN_OFFICE)
    assert not is_working_instant(at(BERLIN, 2026, 6, 6, 11), BERLIN_OFFICE)


def test_deadline_on_the_end_of_a_span_is_that_end_not_the_next_opening() -> None:
    assert add_working_minutes(at(BERLIN, 2026, 6, 1, 9), 480, BERLIN_OFFICE) == at(
        BERLIN, 2026, 6, 1, 17
    )


def test_zero_minutes_returns_the_start_even_off_hours() -> None:
    saturday = at(BERLIN, 2026, 6, 6, 11)
    assert add_working_minutes(saturday, 0, BERLIN_OFFICE) == saturday


def test_fractional_minutes_are_kept_to_the_second() -> None:
    deadline = add_working_minutes(at(BERLIN, 2026, 6, 1, 16, 59), 1.5, BERLIN_OFFICE)
    assert deadline == at(BERLIN, 2026, 6, 2, 9, 0, 30)


# Holidays.


def test_explicit_holiday_week_is_skipped() -> None:
    week = [date(2026, 8, day) for day in range(3, 8)]
    calendar = calendar_from_config("Europe/Berlin", WEEKDAYS_9_TO_5, holidays=week)
    start = at(BERLIN, 2026, 7, 31, 16)
    deadline = add_working_minutes(start, 120, calendar)
    assert deadline == at(BERLIN, 2026, 8, 10, 10)
    assert working_minutes_between(start, deadline, calendar) == 120


def test_german_christmas_holidays_are_skipped() -> None:
    calendar = calendar_from_config("Europe/Berlin", WEEKDAYS_9_TO_5, country="DE")
    start = at(BERLIN, 2026, 12, 24, 16)  # Christmas Eve is not a public holiday
    assert add_working_minutes(start, 120, calendar) == at(BERLIN, 2026, 12, 28, 10)
    assert add_working_minutes(start, 120, BERLIN_OFFICE) == at(BERLIN, 2026, 12, 25, 10)


def test_us_thanksgiving_is_skipped() -> None:
    calendar = calendar_from_config("America/New_York", WEEKDAYS_9_TO_5, country="US")
    deadline = add_working_minutes(at(NEW_YORK, 2026, 11, 25, 16), 120, calendar)
    assert deadline == at(NEW_YORK, 2026, 11, 27, 10)


def test_subdivision_adds_its_regional_holidays() -> None:
    bavaria = calendar_from_config("Europe/Berlin", WEEKDAYS_9_TO_5, country="DE", subdivision="BY")
    berlin = calendar_from_config("Europe/Berlin", WEEKDAYS_9_TO_5, country="DE", subdivision="BE")
    corpus_christi = date(2026, 6, 4)
    assert bavaria.is_holiday(corpus_christi)
    assert not berlin.is_holiday(corpus_christi)


# Longer SLAs and several spans a day.


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        pytest.param(at(BERLIN, 2026, 6, 5, 9), at(BERLIN, 2026, 6, 12, 17), id="friday-opening"),
        pytest.param(at(BERLIN, 2026, 6, 5, 14), at(BERLIN, 2026, 6, 15, 14), id="friday-14h"),
    ],
)
def test_48_hour_sla_runs_over_weekends(start: datetime, expected: datetime) -> None:
    assert add_working_minutes(start, 2880, BERLIN_OFFICE) == expected


def test_lunch_break_is_not_counted() -> None:
    calendar = calendar_from_config("Europe/Berlin", {"mon": ["09:00-12:00", "13:00-17:30"]})
    assert add_working_minutes(at(BERLIN, 2026, 6, 1, 11), 90, calendar) == at(
        BERLIN, 2026, 6, 1, 13, 30
    )
    assert working_minutes_between(at(BERLIN, 2026, 6, 1), at(BERLIN, 2026, 6, 2), calendar) == 450


def test_one_working_hour_a_week_still_reaches_a_48_hour_sla() -> None:
    calendar = calendar_from_config("Europe/Berlin", {"mon": ["09:00-10:00"]})
    deadline = add_working_minutes(at(BERLIN, 2026, 1, 5, 9), 2880, calendar)
    assert deadline == at(BERLIN, 2026, 11, 30, 10)  # the 48th Monday


def test_none_calendar_is_24_7() -> None:
    start = at(BERLIN, 2026, 6, 6, 23, 30)
    deadline = add_working_minutes(start, 90, None)
    assert deadline == start + timedelta(minutes=90)
    assert deadline.tzinfo is UTC
    assert working_minutes_between(start, deadline, None) == 90
    assert is_working_instant(start, None)
    assert next_working_instant(start, None) == start


def test_span_ending_at_24_00_runs_into_the_next_day() -> None:
    calendar = calendar_from_config("UTC", {"mon": ["22:00-24:00"], "tue": ["00:00-02:00"]})
    start = datetime(2026, 6, 1, 23, tzinfo=UTC)
    assert calendar.weekly_hours[0] == (Span(time(22), time(0)),)
    assert add_working_minutes(start, 120, calendar) == datetime(2026, 6, 2, 1, tzinfo=UTC)


def test_whole_day_span_holds_1440_minutes() -> None:
    calendar = calendar_from_config("UTC", {"wed": ["00:00-24:00"]})
    start = datetime(2026, 6, 3, tzinfo=UTC)
    assert working_minutes_between(start, start + timedelta(days=7), calendar) == 1440


@pytest.mark.parametrize("minutes", [1, 59, 480, 481, 2880, 10_000])
@pytest.mark.parametrize(
    "start", [at(BERLIN, 2026, 6, 1, 8), at(BERLIN, 2026, 3, 27, 16), at(BERLIN, 2026, 12, 23, 12)]
)
def test_measuring_an_added_duration_gives_it_back(start: datetime, minutes: int) -> None:
    calendar = calendar_from_config(
        "Europe/Berlin", {"mon": ["09:00-12:00", "13:00-17:30"], "fri": ["20:00-24:00"]}, [], "DE"
    )
    deadline = add_working_minutes(start, minutes, calendar)
    assert working_minutes_between(start, deadline, calendar) == minutes


def test_end_before_start_measures_zero() -> None:
    start = at(BERLIN, 2026, 6, 1, 12)
    assert working_minutes_between(start, start - timedelta(hours=1), BERLIN_OFFICE) == 0


# Configuration.


def test_to_config_round_trips() -> None:
    config = {"mon": ["09:00-12:00", "13:00-17:30"], "fri": ["22:00-24:00"]}
    calendar = calendar_from_config(
        "Europe/Berlin", config, ["2026-12-24", date(2026, 12, 31)], "DE", "BY"
    )
    rebuilt = calendar_from_config(
        calendar.timezone,
        calendar.to_config(),
        sorted(calendar.holidays),
        calendar.country,
        calendar.subdivision,
    )
    assert calendar.to_config() == config
    assert rebuilt == calendar
    assert hash(rebuilt) == hash(calendar)


def test_calendar_survives_pickling_and_deepcopy() -> None:
    calendar = calendar_from_config("Europe/Berlin", WEEKDAYS_9_TO_5, ["2026-12-24"], "DE", "BY")
    assert pickle.loads(pickle.dumps(calendar)) == calendar  # noqa: S301 - our own bytes
    assert copy.deepcopy(calendar) == calendar


def test_config_spans_are_sorted_and_closed_days_dropped() -> None:
    calendar = calendar_from_config("UTC", {"tue": ["13:00-17:00", "09:00-12:00"], "sat": []})
    assert calendar.to_config() == {"tue": ["09:00-12:00", "13:00-17:00"]}


def test_blank_country_and_subdivision_mean_none() -> None:
    calendar = calendar_from_config("UTC", WEEKDAYS_9_TO_5, country="", subdivision="")
    assert calendar.country is None
    assert calendar.subdivision is None


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"weekly_hours": {"mon": ["09:00-12:00", "11:00-13:00"]}},
            "mon: spans '09:00-12:00' and '11:00-13:00' overlap",
        ),
        (
            {"weekly_hours": {"mon": ["17:00-09:00"]}},
            "mon: span '17:00-09:00' does not end after it starts",
        ),
        (
            {"weekly_hours": {"mon": ["22:00-00:00"]}},
            "span '22:00-00:00' does not end after it starts (midnight is 24:00)",
        ),
        ({"weekly_hours": {"monday": ["09:00-17:00"]}}, "unknown weekday 'monday'"),
        ({"weekly_hours": {"mon": ["25:00-26:00"]}}, "mon: invalid time '25:00'"),
        ({"weekly_hours": {"tue": ["12:60-13:00"]}}, "tue: invalid time '12:60'"),
        ({"weekly_hours": {"mon": ["9am-5pm"]}}, "mon: invalid span '9am-5pm'"),
        ({"weekly_hours": {"mon": ["24:00-24:00"]}}, "mon: 24:00 can only end a span"),
        ({"weekly_hours": {"mon": "09:00-17:00"}}, "mon: hours '09:00-17:00' must be a list"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"timezone": "localtime"}, "unknown time zone 'localtime'"),
        ({"country": "XX"}, "unknown country 'XX'"),
        ({"country": "DE", "subdivision": "ZZ"}, "unknown subdivision 'ZZ' of 'DE'"),
        ({"subdivision": "BY"}, "subdivision 'BY' needs a country"),
        ({"holidays": ["2026-02-30"]}, "invalid holiday '2026-02-30'"),
        (
            {"holidays": [datetime(2026, 12, 24, tzinfo=UTC)]},
            "invalid holiday datetime.datetime(2026, 12, 24",
        ),
    ],
)
def test_bad_config_is_rejected_naming_the_value(arguments: dict[str, Any], message: str) -> None:
    config: dict[str, Any] = {"timezone": "Europe/Berlin", "weekly_hours": WEEKDAYS_9_TO_5}
    with pytest.raises(CalendarError, match=re.escape(message)):
        calendar_from_config(**(config | arguments))


def test_calendar_error_is_a_value_error() -> None:
    assert issubclass(CalendarError, ValueError)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Span(time(17), time(9)), "span '17:00-09:00' does not end after it starts"),
        (lambda: Span(time(9, 0, 30), time(17)), "must be a naive time of whole minutes"),
        (lambda: Calendar("UTC", {7: [Span(time(9), time(17))]}), "unknown weekday 7"),
        (lambda: Calendar("UTC", {0: ["09:00-17:00"]}), "mon: '09:00-17:00' is not a Span"),
    ],
)
def test_direct_construction_is_validated(build: Callable[[], object], message: str) -> None:
    with pytest.raises(CalendarError, match=re.escape(message)):
        build()


# Bad input to the maths.


@pytest.mark.parametrize(
    "call",
    [
        lambda naive: add_working_minutes(naive, 10, BERLIN_OFFICE),
        lambda naive: working_minutes_between(naive, naive, BERLIN_OFFICE),
        lambda naive: is_working_instant(naive, None),
        lambda naive: next_working_instant(naive, BERLIN_OFFICE),
    ],
    ids=["add", "between", "is-working", "next"],
)
def test_naive_datetime_is_rejected(call: Callable[[datetime], object]) -> None:
    with pytest.raises(ValueError, match="must be timezone-aware"):
        call(datetime(2026, 6, 1, 9))  # noqa: DTZ001 - the naive input under test


@pytest.mark.parametrize("minutes", [-1, float("nan"), float("inf")])
def test_negative_or_non_finite_minutes_are_rejected(minutes: float) -> None:
    with pytest.raises(ValueError, match="minutes must be a finite number"):
        add_working_minutes(at(BERLIN, 2026, 6, 1, 9), minutes, BERLIN_OFFICE)


def test_calendar_without_working_hours_raises_instead_of_searching() -> None:
    calendar = Calendar("UTC", {})
    start = datetime(2026, 6, 1, tzinfo=UTC)
    with pytest.raises(CalendarError, match="has no working hours"):
        add_working_minutes(start, 60, calendar)
    with pytest.raises(CalendarError, match="has no working hours"):
        next_working_instant(start, calendar)
    assert working_minutes_between(start, start + timedelta(days=30), calendar) == 0


def test_search_stops_after_ten_years_when_holidays_cover_every_working_day() -> None:
    mondays = [date(2026, 6, 1) + timedelta(weeks=week) for week in range(11 * 53)]
    calendar = calendar_from_config("UTC", {"mon": ["09:00-17:00"]}, holidays=mondays)
    start = datetime(2026, 6, 1, tzinfo=UTC)
    with pytest.raises(CalendarError, match="too little working time"):
        add_working_minutes(start, 60, calendar)
    with pytest.raises(CalendarError, match="no working time within 3653 days"):
        next_working_instant(start, calendar)

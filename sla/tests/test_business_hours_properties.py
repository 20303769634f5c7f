"""Business-hours maths against a brute-force oracle.

The oracle steps through real (UTC) minutes one by one, converts each to wall-clock time with
zoneinfo and applies the definition literally: a minute is working iff its local wall-clock time
lies in one of that local date's spans and the local date is not a holiday. Inputs are whole
minutes, and every zone used here has whole-minute offsets and transitions, so a minute is
either entirely working or entirely not.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sla.business_hours import (
    SEARCH_HORIZON,
    WEEKDAY_KEYS,
    Calendar,
    CalendarError,
    add_working_minutes,
    calendar_from_config,
    is_working_instant,
    next_working_instant,
    working_minutes_between,
)

MINUTE = timedelta(minutes=1)
# The oracle never steps further than this; beyond it we check what it did count.
ORACLE_WINDOW_MINUTES = 21 * 24 * 60
FIRST_START = datetime(2020, 1, 1, tzinfo=UTC)
LAST_START = datetime(2030, 12, 31, tzinfo=UTC)
ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "UTC",
)
# Span bounds near the hours that DST transitions touch (Sao Paulo switched at midnight).
DST_MINUTES = (0, 30, 60, 90, 120, 150, 180, 210, 240, 1380, 1410, 1440)
PROPERTY_SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def find_offset_changes(zone_name: str, first_year: int, last_year: int) -> list[datetime]:
    """UTC instants (to the minute) at which the zone's offset changes, found by probing."""
    zone = ZoneInfo(zone_name)
    found: list[datetime] = []
    moment = datetime(first_year, 1, 1, tzinfo=UTC)
    while moment.year <= last_year:
        following = moment + timedelta(hours=12)
        if moment.astimezone(zone).utcoffset() != following.astimezone(zone).utcoffset():
            low, high = moment, following
            while high - low > MINUTE:
                middle = low + (high - low) // MINUTE // 2 * MINUTE
                if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = middle
                else:
                    high = middle
            found.append(high)
        moment = following
    return found


# Sao Paulo has had no DST since 2019, so its historical transitions are included.
OFFSET_CHANGES = {
    zone: find_offset_changes(zone, 2014 if zone == "America/Sao_Paulo" else 2020, 2030)
    for zone in ZONES
}


@dataclass(frozen=True)
class Scenario:
    """A calendar, its plain-data twin for the oracle, and a start instant."""

    calendar: Calendar
    zone: ZoneInfo
    spans: dict[int, list[tuple[int, int]]]
    holiday_dates: frozenset[date]
    start: datetime

    def is_working(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        if local.date() in self.holiday_dates:
            return False
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.spans[local.weekday()])

    def oracle_add(self, minutes: int) -> tuple[datetime | None, int]:
        """The deadline (None if beyond the window) and the working minutes counted."""
        if minutes == 0:
            return self.start, 0
        counted = 0
        for step in range(ORACLE_WINDOW_MINUTES):
            moment = self.start + step * MINUTE
            if self.is_working(moment):
                counted += 1
                if counted == minutes:
                    return moment + MINUTE, counted
        return None, counted

    def oracle_count(self, end: datetime) -> int:
        steps = max(0, (end - self.start) // MINUTE)
        return sum(self.is_working(self.start + step * MINUTE) for step in range(steps))


def add_or_beyond_horizon(scenario: Scenario, minutes: float) -> datetime | None:
    """The deadline, or None when it lies beyond the search horizon (checked to be so)."""
    try:
        return add_working_minutes(scenario.start, minutes, scenario.calendar)
    except CalendarError:
        horizon_end = scenario.start + SEARCH_HORIZON
        assert working_minutes_between(scenario.start, horizon_end, scenario.calendar) < minutes
        return None


def _format(minute_of_day: int) -> str:
    return f"{minute_of_day // 60:02d}:{minute_of_day % 60:02d}"


@st.composite
def day_spans(draw: st.DrawFn) -> list[tuple[int, int]]:
    """0-3 sorted, non-overlapping spans of whole minutes; touching spans are allowed."""
    count = draw(st.integers(0, 3))
    bound = st.one_of(st.integers(0, 1440), st.sampled_from(DST_MINUTES))
    points = sorted(draw(st.lists(bound, min_size=2 * count, max_size=2 * count)))
    return [
        (start, end) for start, end in zip(points[::2], points[1::2], strict=True) if start < end
    ]


@st.composite
def start_instants(draw: st.DrawFn, zone_name: str) -> datetime:
    anywhere = st.integers(0, (LAST_START - FIRST_START) // MINUTE).map(
        lambda minutes: FIRST_START + minutes * MINUTE
    )
    changes = OFFSET_CHANGES[zone_name]
    if not changes:
        return draw(anywhere)
    near_change = st.builds(
        lambda change, minutes: change + minutes * MINUTE,
        st.sampled_from(changes),
        st.integers(-3 * 1440, 3 * 1440) | st.integers(-300, 300),
    )
    return draw(st.one_of(anywhere, near_change, near_change))


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    zone_name = draw(st.sampled_from(ZONES))
    spans = {weekday: draw(day_spans()) for weekday in range(7)}
    start = draw(start_instants(zone_name))
    first_day = start.astimezone(ZoneInfo(zone_name)).date()
    explicit = frozenset(
        first_day + timedelta(days=offset)
        for offset in draw(st.lists(st.integers(-1, 25), max_size=6))
    )
    country = draw(st.sampled_from((None, None, "DE", "US")))
    calendar = calendar_from_config(
        zone_name,
        {WEEKDAY_KEYS[day]: [f"{_format(s)}-{_format(e)}" for s, e in spans[day]] for day in spans},
        holidays=sorted(explicit),
        country=country,
    )
    holiday_dates = set(explicit)
    if country is not None:
        years = range(first_day.year - 1, first_day.year + 2)
        holiday_dates.update(holidays.country_holidays(country, years=years))
    return Scenario(calendar, ZoneInfo(zone_name), spans, frozenset(holiday_dates), start)


@PROPERTY_SETTINGS
@given(scenario=scenarios(), minutes=st.integers(0, 3000) | st.integers(0, 240))
def test_add_working_minutes_matches_oracle(scenario: Scenario, minutes: int) -> None:
    expected, counted = scenario.oracle_add(minutes)
    if expected is not None:
        assert add_working_minutes(scenario.start, minutes, scenario.calendar) == expected
        return
    window_end = scenario.start + ORACLE_WINDOW_MINUTES * MINUTE
    assert working_minutes_between(scenario.start, window_end, scenario.calendar) == counted
    if not any(scenario.spans.values()):
        with pytest.raises(CalendarError):
            add_working_minutes(scenario.start, minutes, scenario.calendar)
    else:
        deadline = add_or_beyond_horizon(scenario, minutes)
        assert deadline is None or deadline > window_end


@PROPERTY_SETTINGS
@given(scenario=scenarios(), duration_minutes=st.integers(-60, 7 * 1440))
def test_working_minutes_between_matches_oracle(scenario: Scenario, duration_minutes: int) -> None:
    end = scenario.start + duration_minutes * MINUTE
    expected = scenario.oracle_count(end)
    assert working_minutes_between(scenario.start, end, scenario.calendar) == expected


@PROPERTY_SETTINGS
@given(scenario=scenarios(), duration_minutes=st.integers(0, 5 * 1440) | st.integers(0, 300))
def test_adding_the_minutes_worked_until_an_instant_reaches_it_no_later(
    scenario: Scenario, duration_minutes: int
) -> None:
    """Targets deadlines that land exactly on the end of a span (not the next opening)."""
    end = scenario.start + duration_minutes * MINUTE
    worked = scenario.oracle_count(end)
    expected, _ = scenario.oracle_add(worked)
    assume(expected is not None)
    deadline = add_working_minutes(scenario.start, worked, scenario.calendar)
    assert deadline == expected
    assert deadline <= end
    assert is_working_instant(deadline, scenario.calendar) == scenario.is_working(deadline)


@PROPERTY_SETTINGS
@given(scenario=scenarios(), probe_minutes=st.integers(0, 3 * 1440))
def test_is_working_instant_and_next_working_instant_match_oracle(
    scenario: Scenario, probe_minutes: int
) -> None:
    moment = scenario.start + probe_minutes * MINUTE
    assert is_working_instant(moment, scenario.calendar) == scenario.is_working(moment)
    expected = next(
        (
            moment + step * MINUTE
            for step in range(ORACLE_WINDOW_MINUTES)
            if scenario.is_working(moment + step * MINUTE)
        ),
        None,
    )
    assume(expected is not None)
    assert next_working_instant(moment, scenario.calendar) == expected


@PROPERTY_SETTINGS
@given(
    scenario=scenarios(),
    fewer_minutes=st.integers(0, 20_000),
    extra_minutes=st.integers(0, 20_000),
)
def test_more_minutes_never_give_an_earlier_deadline(
    scenario: Scenario, fewer_minutes: int, extra_minutes: int
) -> None:
    assume(any(scenario.spans.values()))
    sooner = add_or_beyond_horizon(scenario, fewer_minutes)
    later = add_or_beyond_horizon(scenario, fewer_minutes + extra_minutes)
    assert later is None or (sooner is not None and sooner <= later)


@PROPERTY_SETTINGS
@given(scenario=scenarios(), minutes=st.integers(0, 20_000) | st.floats(0, 5000))
def test_measuring_an_added_duration_gives_it_back(scenario: Scenario, minutes: float) -> None:
    assume(any(scenario.spans.values()))
    deadline = add_or_beyond_horizon(scenario, minutes)
    assume(deadline is not None)
    measured = working_minutes_between(scenario.start, deadline, scenario.calendar)
    assert measured == pytest.approx(minutes, abs=1e-6)

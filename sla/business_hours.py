"""Business-hours arithmetic for SLA deadlines: pure functions, no Django.

Definition (the property tests' brute-force oracle implements exactly this): a real instant is
working time iff its wall-clock time in the calendar's zone lies inside one of that local date's
spans (start inclusive, end exclusive) and that local date is not a holiday. Durations are real
elapsed time, so across DST a span holds the real time that elapses in it: on a spring-forward
day 01:00-04:00 holds two hours, on a fall-back day 00:00-04:00 holds five (the repeated hour
counts twice), and a span starting or ending inside the skipped hour is cut at the gap.

Precision: arithmetic is exact to the microsecond (``timedelta``). Minutes go in and come out as
``float`` so a paused clock can resume with a fractional remainder; whole minutes are exact.

Algorithm: walk UTC in chunks of at most a day inside which the zone's UTC offset is constant,
shift each chunk to wall-clock time, intersect it with the spans of the local dates it covers and
shift back. Cost is O(days spanned), never per minute, and the walk stops at ``SEARCH_HORIZON``.
"""

import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_package

# Config keys, indexed by date.weekday() (0 = Monday).
WEEKDAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# How far ahead a deadline or the next working instant is searched for (about ten years).
SEARCH_HORIZON = timedelta(days=3653)

# tzdata never changes a zone's UTC offset twice within four days (the closest pair, in
# Africa/Freetown in 1939, is 95 hours apart), so a one-day probe window holds at most one change.
_OFFSET_PROBE = timedelta(days=1)
_MINUTE = timedelta(minutes=1)
_MINUTES_PER_DAY = 24 * 60
_SPAN_PATTERN = re.compile(r"\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*")
_TIME_PATTERN = re.compile(r"(\d{1,2}):(\d{2})")


class CalendarError(ValueError):
    """An invalid calendar, or one with too little working time to answer a question."""


@dataclass(frozen=True)
class Span:
    """One working span of a day in local wall-clock time, start inclusive, end exclusive.

    Bounds are naive times of whole minutes. ``end == time(0, 0)`` means 24:00, the end of the
    day (a Django ``TimeField`` cannot hold 24:00), so ``Span(time(0), time(0))`` is a whole day.
    """

    start: time
    end: time

    def __post_init__(self) -> None:
        for bound in (self.start, self.end):
            if not isinstance(bound, time) or bound.tzinfo or bound.second or bound.microsecond:
                raise CalendarError(f"span bound {bound!r} must be a naive time of whole minutes")
        if self.start_minute >= self.end_minute:
            raise CalendarError(f"span '{self}' does not end after it starts")

    @property
    def start_minute(self) -> int:
        """Minute of the day the span starts at (0..1439)."""
        return self.start.hour * 60 + self.start.minute

    @property
    def end_minute(self) -> int:
        """Minute of the day the span ends at (1..1440; 1440 is midnight at the end)."""
        return self.end.hour * 60 + self.end.minute or _MINUTES_PER_DAY

    def __str__(self) -> str:
        return f"{_format_minute(self.start_minute)}-{_format_minute(self.end_minute)}"


@dataclass(frozen=True)
class Calendar:
    """Weekly working hours in one IANA time zone, minus holidays.

    ``weekly_hours`` maps weekday (0 = Monday .. 6 = Sunday) to non-overlapping spans (touching is
    fine). It is normalised to a read-only mapping of start-sorted tuples without empty days, so
    equal calendars compare and hash equal. ``country`` and ``subdivision`` add that region's
    public holidays from the ``holidays`` package, observed days included (its default).
    """

    timezone: str
    weekly_hours: Mapping[int, Sequence[Span]]
    holidays: frozenset[date] = frozenset()
    country: str | None = None
    subdivision: str | None = None

    def __post_init__(self) -> None:
        _load_zone(self.timezone)
        object.__setattr__(self, "weekly_hours", _normalise_weekly_hours(self.weekly_hours))
        object.__setattr__(self, "holidays", _normalise_holidays(self.holidays))
        _check_country(self.country, self.subdivision)

    def __hash__(self) -> int:
        weekly = tuple(self.weekly_hours.items())
        return hash((self.timezone, weekly, self.holidays, self.country, self.subdivision))

    def __reduce__(self) -> tuple[type["Calendar"], tuple[object, ...]]:
        """Pickle and deepcopy through a plain dict: a ``MappingProxyType`` cannot be pickled."""
        weekly = dict(self.weekly_hours)
        return Calendar, (self.timezone, weekly, self.holidays, self.country, self.subdivision)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_holiday(self, day: date) -> bool:
        """Whether the local date is an explicit or a country holiday."""
        if day in self.holidays:
            return True
        return self.country is not None and day in _country_holidays(
            self.country, self.subdivision, day.year
        )

    def spans_on(self, day: date) -> tuple[Span, ...]:
        """The working spans of a local date: none on a holiday."""
        if self.is_holiday(day):
            return ()
        return tuple(self.weekly_hours.get(day.weekday(), ()))

    def to_config(self) -> dict[str, list[str]]:
        """The weekly hours in the shape ``calendar_from_config`` reads, without closed days."""
        return {
            WEEKDAY_KEYS[weekday]: [str(span) for span in spans]
            for weekday, spans in self.weekly_hours.items()
        }


def calendar_from_config(
    timezone: str,
    weekly_hours: Mapping[str, Sequence[str]],
    holidays: Iterable[str | date] = (),
    country: str | None = None,
    subdivision: str | None = None,
) -> Calendar:
    """Build a calendar from ``{"mon": ["09:00-12:00", "13:00-17:30"], ...}``.

    Keys are ``mon``..``sun`` (a missing key or an empty list is a closed day); times are
    ``HH:MM`` and ``24:00`` may end a span. Holidays are ``date`` objects or ISO date strings.
    A blank country or subdivision (a blank model field) means none. Any bad value raises
    ``CalendarError`` naming it.
    """
    spans_by_weekday: dict[int, list[Span]] = {}
    for key, span_texts in weekly_hours.items():
        if key not in WEEKDAY_KEYS:
            raise CalendarError(f"unknown weekday {key!r}: use one of {', '.join(WEEKDAY_KEYS)}")
        if isinstance(span_texts, str) or not isinstance(span_texts, Sequence):
            raise CalendarError(f"{key}: hours {span_texts!r} must be a list of 'HH:MM-HH:MM'")
        spans_by_weekday[WEEKDAY_KEYS.index(key)] = [_parse_span(key, text) for text in span_texts]
    return Calendar(
        timezone=timezone,
        weekly_hours=spans_by_weekday,
        holidays=frozenset(_parse_holiday(value) for value in holidays),
        country=country or None,
        subdivision=subdivision or None,
    )


def add_working_minutes(start: datetime, minutes: float, calendar: Calendar | None) -> datetime:
    """The UTC instant at which ``minutes`` working minutes have elapsed since ``start``.

    Counting begins at the next working instant if ``start`` is outside working hours. A deadline
    that falls exactly at the end of a span is that end, not the next opening. ``minutes == 0``
    returns ``start`` unchanged (a zero target is met at once, even off hours). ``None`` means
    24/7, i.e. plain addition. Raises ``CalendarError`` if the calendar has no working hours or
    the deadline lies beyond ``SEARCH_HORIZON``.
    """
    start_at = _to_utc(start, "start")
    if not math.isfinite(minutes) or minutes < 0:
        raise ValueError(f"minutes must be a finite number >= 0, got {minutes!r}")
    remaining = timedelta(minutes=minutes)
    if calendar is None or not remaining:
        return start_at + remaining
    _require_working_hours(calendar)
    for interval_start, interval_end in _working_intervals(
        calendar, start_at, start_at + SEARCH_HORIZON
    ):
        if remaining <= interval_end - interval_start:
            return interval_start + remaining
        remaining -= interval_end - interval_start
    raise CalendarError(
        f"{minutes} working minutes from {start_at.isoformat()} end more than "
        f"{SEARCH_HORIZON.days} days later: the calendar has too little working time"
    )


def working_minutes_between(start: datetime, end: datetime, calendar: Calendar | None) -> float:
    """Working minutes in ``[start, end)``, exact to the microsecond; 0 if ``end <= start``.

    Unlike the other functions this never raises for a calendar without working time: it is 0.
    """
    start_at, end_at = _to_utc(start, "start"), _to_utc(end, "end")
    if end_at <= start_at:
        return 0.0
    if calendar is None:
        return (end_at - start_at) / _MINUTE
    worked = sum(
        (high - low for low, high in _working_intervals(calendar, start_at, end_at)), timedelta()
    )
    return worked / _MINUTE


def is_working_instant(moment: datetime, calendar: Calendar | None) -> bool:
    """Whether ``moment`` is working time (always true for ``None``, i.e. 24/7)."""
    moment_at = _to_utc(moment, "moment")
    if calendar is None:
        return True
    local = moment_at.astimezone(calendar.zone).replace(tzinfo=None)
    since_midnight = local - datetime.combine(local.date(), time())
    return any(
        timedelta(minutes=span.start_minute) <= since_midnight < timedelta(minutes=span.end_minute)
        for span in calendar.spans_on(local.date())
    )


def next_working_instant(moment: datetime, calendar: Calendar | None) -> datetime:
    """``moment`` in UTC if it is working time, else the UTC instant the next working span opens.

    Raises ``CalendarError`` if there is none within ``SEARCH_HORIZON``.
    """
    moment_at = _to_utc(moment, "moment")
    if calendar is None:
        return moment_at
    _require_working_hours(calendar)
    first = next(_working_intervals(calendar, moment_at, moment_at + SEARCH_HORIZON), None)
    if first is None:
        raise CalendarError(
            f"no working time within {SEARCH_HORIZON.days} days of {moment_at.isoformat()}"
        )
    return first[0]


def _working_intervals(
    calendar: Calendar, start_at: datetime, stop_at: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """Yield the working time in ``[start_at, stop_at)`` as disjoint UTC intervals in order.

    Consecutive intervals may touch (a span is cut at chunk edges); callers only sum them.
    """
    zone = calendar.zone
    chunk_start = start_at
    while chunk_start < stop_at:
        chunk_end = min(chunk_start + _OFFSET_PROBE, stop_at)
        offset = chunk_start.astimezone(zone).utcoffset() or timedelta()  # never None
        if chunk_end.astimezone(zone).utcoffset() != offset:
            chunk_end = _offset_change(zone, chunk_start, chunk_end, offset)
        yield from _intervals_at_offset(calendar, chunk_start, chunk_end, offset)
        chunk_start = chunk_end


def _intervals_at_offset(
    calendar: Calendar, chunk_start: datetime, chunk_end: datetime, offset: timedelta
) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals of a UTC chunk in which the zone's offset is constantly ``offset``.

    With a constant offset, wall-clock time is UTC shifted by it, so naive wall-time arithmetic
    is exact here: clip each local date's spans to the chunk's wall-clock range and shift back.
    """
    wall_start = chunk_start.replace(tzinfo=None) + offset
    wall_end = chunk_end.replace(tzinfo=None) + offset
    day = wall_start.date()
    while (midnight := datetime.combine(day, time())) < wall_end:
        for span in calendar.spans_on(day):
            low = max(wall_start, midnight + timedelta(minutes=span.start_minute))
            high = min(wall_end, midnight + timedelta(minutes=span.end_minute))
            if low < high:
                yield (low - offset).replace(tzinfo=UTC), (high - offset).replace(tzinfo=UTC)
        day += timedelta(days=1)


def _offset_change(zone: ZoneInfo, low: datetime, high: datetime, offset: timedelta) -> datetime:
    """The first instant in ``(low, high]`` whose offset is not ``offset``, by bisection."""
    while high - low > timedelta(microseconds=1):
        middle = low + (high - low) // 2
        if middle.astimezone(zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return high


def _to_utc(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {value!r}")
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def _require_working_hours(calendar: Calendar) -> None:
    if not calendar.weekly_hours:
        raise CalendarError(f"calendar in {calendar.timezone} has no working hours on any day")


def _load_zone(name: str) -> ZoneInfo:
    # "localtime" resolves to the server's own zone file, so a calendar must not depend on it.
    if not isinstance(name, str) or name == "localtime":
        raise CalendarError(f"unknown time zone {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise CalendarError(f"unknown time zone {name!r}") from error


def _normalise_weekly_hours(
    weekly_hours: Mapping[int, Sequence[Span]],
) -> Mapping[int, tuple[Span, ...]]:
    normalised: dict[int, tuple[Span, ...]] = {}
    for weekday, spans in weekly_hours.items():
        if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6:
            raise CalendarError(f"unknown weekday {weekday!r}: use 0 (Monday) to 6 (Sunday)")
        for span in spans:
            if not isinstance(span, Span):
                raise CalendarError(f"{WEEKDAY_KEYS[weekday]}: {span!r} is not a Span")
        ordered = tuple(sorted(spans, key=lambda span: span.start_minute))
        for earlier, later in pairwise(ordered):
            if later.start_minute < earlier.end_minute:
                raise CalendarError(
                    f"{WEEKDAY_KEYS[weekday]}: spans '{earlier}' and '{later}' overlap"
                )
        if ordered:
            normalised[weekday] = ordered
    return MappingProxyType(dict(sorted(normalised.items())))


def _normalise_holidays(holidays: Iterable[date]) -> frozenset[date]:
    days = frozenset(holidays)
    for day in days:
        if not isinstance(day, date) or isinstance(day, datetime):
            raise CalendarError(f"holiday {day!r} must be a date")
    return days


def _check_country(country: str | None, subdivision: str | None) -> None:
    if country is None:
        if subdivision is not None:
            raise CalendarError(f"subdivision {subdivision!r} needs a country")
        return
    if country not in holidays_package.list_supported_countries():
        raise CalendarError(f"unknown country {country!r} for holidays")
    try:
        holidays_package.country_holidays(country, subdiv=subdivision)
    except NotImplementedError as error:
        raise CalendarError(f"unknown subdivision {subdivision!r} of {country!r}") from error


@lru_cache(maxsize=512)
def _country_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays_package.country_holidays(country, subdiv=subdivision, years=year))


def _parse_span(weekday_key: str, text: object) -> Span:
    match = _SPAN_PATTERN.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise CalendarError(f"{weekday_key}: invalid span {text!r}, expected 'HH:MM-HH:MM'")
    start = _parse_minute(weekday_key, match[1], is_end=False)
    end = _parse_minute(weekday_key, match[2], is_end=True)
    if start >= end:
        raise CalendarError(
            f"{weekday_key}: span {text!r} does not end after it starts (midnight is 24:00)"
        )
    return Span(_minute_to_time(start), _minute_to_time(end))


def _parse_minute(weekday_key: str, text: str, *, is_end: bool) -> int:
    match = _TIME_PATTERN.fullmatch(text)
    hour, minute = (int(match[1]), int(match[2])) if match else (-1, -1)
    if (hour, minute) == (24, 0) and not is_end:
        raise CalendarError(f"{weekday_key}: 24:00 can only end a span")
    if not (0 <= hour <= 23 and 0 <= minute <= 59) and (hour, minute) != (24, 0):
        raise CalendarError(f"{weekday_key}: invalid time {text!r}")
    return hour * 60 + minute


def _parse_holiday(value: str | date) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        if isinstance(value, str):
            return date.fromisoformat(value)
    except ValueError as error:
        raise CalendarError(f"invalid holiday {value!r}, expected an ISO date") from error
    raise CalendarError(f"invalid holiday {value!r}, expected an ISO date")


def _minute_to_time(minute_of_day: int) -> time:
    return time(minute_of_day // 60 % 24, minute_of_day % 60)


def _format_minute(minute_of_day: int) -> str:
    return f"{minute_of_day // 60:02d}:{minute_of_day % 60:02d}"

"""Times as text exports write them: absolute (ISO 8601 with a zone, JSON ``/Date(ms)/``)
or local (a culture layout, ISO without a zone), and the zone local ones were written in.

Event Viewer, ``Export-Csv`` and ``wevtutil qe /f:text`` write the exporting computer's
local time without its zone; only that computer's admin knows the zone, so it is given
with ``--export-tz`` (an IANA name or an offset) and, without it, local times are read
as UTC and the coverage says so. PowerShell's JSON carries an absolute time: 5.1 writes
``\\/Date(1725277744000)\\/`` (milliseconds since 1970 UTC), 7 an ISO 8601 string with
the offset (``2024-09-02T13:49:04.1234567+02:00``, the round-trip ``o`` format).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from evtdiag.errors import InputFormatError

DATE_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",  # en-US
    "%d/%m/%Y %I:%M:%S %p",  # en-AU, en-IN
    "%d/%m/%Y %H:%M:%S",  # en-GB, fr-FR, es-ES, it-IT, pt-BR
    "%m/%d/%Y %H:%M:%S",  # the invariant culture
    "%d.%m.%Y %H:%M:%S",  # de-DE, ru-RU, pl-PL
    "%d-%m-%Y %H:%M:%S",  # nl-NL
    "%Y-%m-%d %H:%M:%S",  # sv-SE
    "%Y/%m/%d %H:%M:%S",  # ja-JP, zh-CN
)
"""The culture layouts tried, in order, when ``--csv-date-format`` is not given (ISO
8601 is read apart, fractions and zone included: :func:`parse_iso`)."""

_ISO = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d+))?\s*(Z|[+-]\d\d:?\d\d)?"
)
_JSON_DATE = re.compile(r"/Date\((-?\d{1,15})([+-]\d{4})?\)/")
_OFFSET = re.compile(r"(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d\d))?")
_INVISIBLE = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def export_zone(text: str) -> tzinfo:
    """The zone of ``--export-tz``: an IANA name (``Europe/Berlin``) or an offset
    (``+02:00``, ``-0500``, ``UTC+1``).

    :raises ValueError: saying what is accepted.
    """
    text = text.strip()
    offset = _OFFSET.fullmatch(text)
    if offset:
        sign, hours, minutes = offset.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if delta > timedelta(hours=14):
            raise ValueError(f"offset {text!r} is beyond 14 hours")
        return timezone(-delta if sign == "-" else delta)
    if text.upper() in ("UTC", "Z", "GMT"):
        return timezone.utc
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{text!r} is neither an IANA zone name (e.g. Europe/Berlin) nor an offset "
            "(e.g. +02:00)"
        ) from None


def clean(text: str) -> str:
    """The date text without the bidi marks and odd spaces some cultures write."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()


def local_to_utc(moment: datetime, zone: tzinfo | None) -> datetime:
    """A naive local time as UTC: in ``zone``, or taken as UTC without one."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone or timezone.utc)
    return moment.astimezone(timezone.utc)


def parse_absolute(text: str) -> datetime | None:
    """A time that says its zone (ISO 8601 with ``Z`` or an offset, JSON ``/Date()/``),
    in UTC; None for anything else, local times included."""
    text = clean(text)
    json_date = _JSON_DATE.fullmatch(text.replace("\\/", "/"))
    if json_date:
        # The milliseconds are UTC; a "+0200" suffix only says the writer's zone.
        try:
            return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(
                milliseconds=int(json_date.group(1))
            )
        except OverflowError:
            return None
    iso = _ISO.fullmatch(text)
    if iso and iso.group(8):
        return _iso_moment(iso)
    return None


def parse_iso(text: str, zone: tzinfo | None) -> datetime | None:
    """ISO 8601 (``T`` or a space, any fraction, with or without a zone) in UTC; a time
    without zone is local in ``zone``."""
    iso = _ISO.fullmatch(clean(text))
    if not iso:
        return None
    moment = _iso_moment(iso)
    return None if moment is None else local_to_utc(moment, zone)


def _iso_moment(match: re.Match[str]) -> datetime | None:
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second),
            int((fraction or "0")[:6].ljust(6, "0")),
        )  # fmt: skip
    except ValueError:
        return None
    if not offset:
        return moment
    if offset == "Z":
        return moment.replace(tzinfo=timezone.utc)
    digits = offset[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]))
    return (moment - delta if offset[0] == "+" else moment + delta).replace(tzinfo=timezone.utc)


def parse_layout(text: str, layout: str, zone: tzinfo | None) -> datetime | None:
    """``text`` read with a strptime layout, in UTC (local in ``zone`` without ``%z``)."""
    try:
        moment = datetime.strptime(clean(text), layout)
    except ValueError:
        return None
    return local_to_utc(moment, zone)


ISO = "ISO 8601"
"""The name :func:`choose_layout` gives ISO 8601 text."""


def read_time(text: str, layout: str, zone: tzinfo | None) -> datetime | None:
    """``text`` read in the layout :func:`choose_layout` chose (or :data:`ISO`)."""
    return parse_iso(text, zone) if layout == ISO else parse_layout(text, layout, zone)


def choose_layout(dates: Sequence[tuple[int, str]], name: str, given: str | None = None) -> str:
    """The one known layout that reads every date (:data:`ISO` first, then ``given``,
    the ``--csv-date-format``); refuse when none fits or when several read the dates
    differently.

    ISO 8601 needs no option, so it wins over ``given``: a run mixing a culture's CSV
    (for which the option was given) with wevtutil's ISO dates reads both.

    :param dates: ``(line, date text)`` of every row.
    :raises InputFormatError: naming the line of a date no layout reads, or of an
        ambiguous one.
    """
    if all(parse_iso(d, None) for _, d in dates):
        return ISO
    if given:
        return given
    fitting = [f for f in DATE_FORMATS if all(parse_layout(d, f, None) for _, d in dates)]
    if not fitting:
        line, sample = next(
            ((n, d) for n, d in dates if not any(parse_layout(d, f, None) for f in DATE_FORMATS)),
            dates[0],
        )
        raise InputFormatError(
            f"{name}:{line}: date {clean(sample)!r} is in no known layout; give its layout "
            "with --csv-date-format (a strptime format, e.g. '%d/%m/%Y %H:%M:%S')"
        )
    readings = {tuple(parse_layout(d, f, None) for _, d in dates) for f in fitting}
    if len(readings) > 1:
        line, sample = next(
            (n, d) for n, d in dates if len({parse_layout(d, f, None) for f in fitting}) > 1
        )
        options = " or ".join(f"'{f}'" for f in fitting[:3])
        raise InputFormatError(
            f"{name}:{line}: date {clean(sample)!r} is ambiguous (day-first or month-first; "
            f"no date in the file settles it); rerun with --csv-date-format {options}"
        )
    return fitting[0]

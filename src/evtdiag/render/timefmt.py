"""Times for people: the JSON keeps UTC, text and HTML show the zone asked for (``--tz``)."""

from __future__ import annotations

import time
from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str | None) -> tzinfo | None:
    """``UTC`` (default), ``local`` (None: each moment gets the machine's offset of its
    own date, so daylight saving time is right), or an IANA name such as ``Europe/Paris``.

    :raises ValueError: for an unknown zone name.
    """
    if not name or name.upper() == "UTC":
        return timezone.utc
    if name == "local":
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f"unknown time zone {name!r} (use UTC, local or e.g. Europe/Paris)"
        ) from error


class TimeFormatter:
    """Formats the JSON's ISO UTC strings in one zone."""

    def __init__(self, name: str | None = None) -> None:
        self.tz = zone(name)
        self.zone_name = name if name and name.upper() != "UTC" else "UTC"
        if name == "local":
            self.zone_name = f"local: {time.tzname[0]}" + (
                f"/{time.tzname[1]}" if time.daylight and time.tzname[1] != time.tzname[0] else ""
            )

    def local(self, moment: datetime) -> datetime | None:
        """``moment`` in the zone; None when that falls outside the years 1 to 9999 that
        :class:`datetime` holds (9999-12-31 late in the day in a zone ahead of UTC,
        0001-01-01 early in one behind it)."""
        try:
            return moment.astimezone(self.tz)
        except (OverflowError, OSError):  # OSError: the C library's localtime for "local"
            return None

    def moment(self, iso: str | None) -> str:
        """``2026-09-01 10:48:54`` in the zone; in UTC, marked so, when the zone's time
        of it cannot be written."""
        if not iso:
            return "?"
        shown, marker = self._shown(iso)
        return shown.isoformat(sep=" ", timespec="seconds")[:19] + marker

    def day(self, iso: str) -> str:
        shown, marker = self._shown(iso)
        return shown.date().isoformat() + marker

    def _shown(self, iso: str) -> tuple[datetime, str]:
        """The moment to show, and `` UTC`` when it is shown in UTC instead of the zone.

        Written with ``isoformat``: ``strftime("%Y")`` writes the year 1 as ``1`` on
        Linux, not ``0001``."""
        utc = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(timezone.utc)
        local = self.local(utc)
        return (utc, " UTC") if local is None else (local, "")

    def span(self, first: str | None, last: str | None) -> str:
        if not first:
            return "no time"
        if first == last:
            return self.moment(first)
        return f"{self.moment(first)} .. {self.moment(last)}"

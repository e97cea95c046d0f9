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

    def moment(self, iso: str | None) -> str:
        if not iso:
            return "?"
        parsed = datetime.fromisoformat(iso.replace("Z", "+00:00"))
        return parsed.astimezone(self.tz).strftime("%Y-%m-%d %H:%M:%S")

    def day(self, iso: str) -> str:
        parsed = datetime.fromisoformat(iso.replace("Z", "+00:00"))
        return parsed.astimezone(self.tz).strftime("%Y-%m-%d")

    def span(self, first: str | None, last: str | None) -> str:
        if not first:
            return "no time"
        if first == last:
            return self.moment(first)
        return f"{self.moment(first)} .. {self.moment(last)}"

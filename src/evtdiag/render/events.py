"""Render the ``evtdiag events`` listing (a table, JSON or CSV, plus coverage lines) and
the events file of ``report --events`` (JSON Lines or CSV, streamed)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence

from evtdiag.event_summary import iso
from evtdiag.model import InputCoverage, PsyncEvent
from evtdiag.render.fields import event_json, input_json
from evtdiag.render.terminal import printable, printable_line

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_COLUMNS = ("time (UTC)", "DC", "id", "kind", "user", "host", "source", "record", "from")


def user_and_host(event: PsyncEvent) -> tuple[str | None, str | None]:
    """The event's user and host; for an id outside the catalogue (kind ``other``) whose
    data holds two items, as the success event's does (user, host), those two: the
    listing shows what such an event names even before its id is declared."""
    if event.kind == "other" and not (event.user or event.host) and len(event.record.data) == 2:
        user, host = event.record.data
        return user.strip() or None, host.strip() or None
    return event.user, event.host


def _row(event: PsyncEvent) -> tuple[str, ...]:
    user, host = user_and_host(event)
    return (
        (iso(event.time) or "?").replace("T", " ").replace(".000000", "")[:19],
        event.dc,
        str(event.event_id),
        event.kind,
        user or "-",
        host or "-",
        event.record.source,
        str(event.record.record_id),
        event.provenance or "-",
    )


def events_table(events: Sequence[PsyncEvent]) -> str:
    """An aligned plain-text table; untrusted text is made printable, on one line, first."""
    rows = [_COLUMNS, *(tuple(printable_line(cell) for cell in _row(e)) for e in events)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    if not events:
        lines.append("(no PSync events found)")
    return "\n".join(lines) + "\n"


def csv_cell(value: object) -> str:
    """A CSV cell safe to open in a spreadsheet and to print on a terminal.

    Control characters are escaped (:func:`printable`), and a cell a spreadsheet would
    take for a formula (starting with ``= + - @``, or a tab or CR) gets a leading ``'``.
    """
    text = printable("" if value is None else str(value))
    return "'" + text if text[:1] in _FORMULA_START else text


def events_csv(events: Iterable[PsyncEvent]) -> str:
    """The events as CSV; every cell goes through :func:`csv_cell`."""
    return "".join(events_csv_lines(events))


def events_csv_lines(events: Iterable[PsyncEvent]) -> Iterator[str]:
    """The events as CSV, a line at a time (a year of events is never one string)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["time", "dc", "event_id", "kind", "user", "host", "source", "record_id", "provenance"]
    )
    for event in events:
        user, host = user_and_host(event)
        writer.writerow(
            csv_cell(cell)
            for cell in [
                iso(event.time),
                event.dc,
                event.event_id,
                event.kind,
                user or "",
                host or "",
                event.record.source,
                event.record.record_id,
                event.provenance or "",
            ]
        )
        yield out.getvalue()
        out.seek(0)
        out.truncate()


_ONE_LINE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def events_json_lines(events: Iterable[PsyncEvent]) -> Iterator[str]:
    """The events as JSON Lines: one object per event, as the ``events`` command's JSON
    lists them (:func:`~evtdiag.render.fields.event_json`)."""
    for event in events:
        yield _ONE_LINE.encode(event_json(event)) + "\n"


EVENT_FILES = {".jsonl": events_json_lines, ".csv": events_csv_lines}
"""The file forms of ``report --events``, by the file's extension."""


def events_json(events: Sequence[PsyncEvent], inputs: Sequence[InputCoverage]) -> str:
    document = {
        "events": [event_json(e) for e in events],
        "inputs": [input_json(c) for c in inputs],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def coverage_text(inputs: Sequence[InputCoverage]) -> str:
    """What was read from each input, for stderr after the listing.

    Every value from an input is kept on its line (:func:`printable_line`): a file name
    holding a line break must not forge a "skipped" or "refused" line.
    """
    lines = ["Coverage:"]
    for c in inputs:
        if c.format in ("skipped", "refused"):
            lines.append(f"  {printable_line(c.path)}: {c.format}, {printable_line(c.note or '')}")
            continue
        lines.append(f"  {printable_line(c.path)}")
        span = f"{iso(c.first_time) or '?'} .. {iso(c.last_time) or '?'}"
        lines.append(f"    sha256 {c.sha256}  {c.size:,} bytes  format {c.format}")
        lines.append(
            f"    records {c.records:,}  PSync events {c.psync_events:,}"
            + (f"  duplicates dropped {c.duplicates:,}" if c.duplicates else "")
            + f"  dirty {'yes' if c.dirty else 'no'}"
        )
        lines.append(f"    time span {span}")
        lines.append(f"    computers {', '.join(printable_line(n) for n in c.computers) or '-'}")
        if c.origins:
            told = ", ".join(f"{origin} {count:,}" for origin, count in c.origins)
            lines.append(f"    user and host from: {told}")
        lost = [s for s in c.skipped if s.lost]
        doubtful = [s for s in c.skipped if not s.lost]
        if c.skipped:
            lines.append(
                f"    damaged places: {len(lost)} skipped, {len(doubtful)} read unverified"
            )
            lines.extend(
                f"      {printable_line(str(s.place))}: {printable_line(s.reason)}"
                for s in c.skipped
            )
    return "\n".join(lines) + "\n"

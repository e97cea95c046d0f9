"""Field-by-field JSON views of the model, shared by every JSON output.

Writing each field out by hand (rather than ``asdict``) keeps the JSON contract of
DESIGN.md visible in one place and stops internal fields from leaking into it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from evtdiag.model import InputCoverage, PsyncEvent, Skipped


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``, or None."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def skipped_json(skip: Skipped) -> dict[str, Any]:
    place = skip.place
    return {
        "file": place.file,
        "chunk": place.chunk,
        "offset": place.offset,
        "record_id": place.record_id,
        "line": place.line,
        "reason": skip.reason,
        "lost": skip.lost,
    }


def input_json(coverage: InputCoverage) -> dict[str, Any]:
    """One entry of ``inputs`` (contract: DESIGN.md, JSON output)."""
    return {
        "path": coverage.path,
        "sha256": coverage.sha256,
        "format": coverage.format,
        "size": coverage.size,
        "records": coverage.records,
        "psync_events": coverage.psync_events,
        "skipped": [skipped_json(skip) for skip in coverage.skipped],
        "dirty": coverage.dirty,
        "first_time": iso(coverage.first_time),
        "last_time": iso(coverage.last_time),
        "computers": list(coverage.computers),
        "duplicates": coverage.duplicates,
        "note": coverage.note,
    }


def event_json(event: PsyncEvent) -> dict[str, Any]:
    record = event.record
    return {
        "time": iso(event.time),
        "dc": event.dc,
        "event_id": event.event_id,
        "qualifiers": record.qualifiers,
        "kind": event.kind,
        "outcome": event.outcome.value,
        "user": event.user,
        "host": event.host,
        "source": record.source,
        "record_id": record.record_id,
        "provider": record.provider,
        "channel": record.channel,
        "level": record.level,
        "data": list(record.data),
        "unverified": record.unverified,
        "message_derived": event.message_derived,
    }

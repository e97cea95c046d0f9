"""The report as JSON: schema ``evtdiag/2`` (contract: docs/contract.md), written field by field.

Everything the HTML report shows is in here, so ``evtdiag render`` can rebuild it
without the original inputs; the events themselves are summarised
(:class:`~evtdiag.event_summary.EventSummary`), and every problem keeps a sample of its
own.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from evtdiag import __version__
from evtdiag.document import SCHEMA, host_identity
from evtdiag.event_summary import EventSummary, iso
from evtdiag.render.fields import (
    audit_json,
    input_json,
    names_by_kind,
    problem_json,
    warning_json,
)

if TYPE_CHECKING:
    from evtdiag.diagnose.model import Diagnosis
    from evtdiag.hosts.inventory import Inventory
    from evtdiag.hosts.model import HostConfig, WindowsSide


def report_document(
    diagnosis: Diagnosis,
    *,
    generated_at: datetime | None = None,
    run: dict[str, Any] | None = None,
    inventory: Inventory | None = None,
    windows: WindowsSide | None = None,
) -> dict[str, Any]:
    """The JSON object (contract fields first, then evtdiag's additions).

    ``inventory`` and ``windows`` add what was supplied (host configurations with their
    aliases, Windows group member lists) so that the report's coverage can show it and
    redaction knows every name to hide, even in a later ``evtdiag render``.
    """
    summary = EventSummary(functools.partial(host_identity, identities=diagnosis.host_ids))
    for event in diagnosis.events:
        summary.add(event.time, event.outcome.value, event.event_id, event.user, event.host,
                    event.dc)  # fmt: skip
    sections = summary.sections()
    return {
        "schema": SCHEMA,
        "tool": {"name": "evtdiag", "version": __version__},
        "generated_at": iso(generated_at or datetime.now(timezone.utc)),
        "verdict": diagnosis.verdict,
        "inputs": [input_json(c) for c in diagnosis.inputs],
        "events": sections["events"],
        "problems": [problem_json(p) for p in diagnosis.problems],
        "audit": [audit_json(a) for a in diagnosis.audit],
        "verdict_reasons": list(diagnosis.verdict_reasons),
        "counts": dict(diagnosis.counts),
        "unmatched_hosts": list(diagnosis.unmatched_hosts),
        "unreferenced_hosts": list(diagnosis.unreferenced_hosts),
        "success_ids": list(diagnosis.success_ids),
        "success_id_details": [
            {"id": s.event_id, "basis": s.basis, "events": s.events}
            for s in diagnosis.successes.sources
        ],
        "success_candidates": list(diagnosis.successes.candidates),
        "host_identities": [
            {"host": name, "identity": identity}
            for name, identity in sorted(diagnosis.host_ids.items())
        ],
        "config_warnings": [warning_json(w) for w in diagnosis.config_warnings],
        "notes": list(diagnosis.notes),
        "run": run or {},
        "host_configs": [
            {
                "name": h.name,
                "source": h.source,
                "aliases": list(h.aliases),
                "names": names_by_kind(configuration_names(h)),
            }
            for h in (inventory.hosts if inventory else ())
        ],
        "windows_groups": [
            {"group": g.group, "supplied": g.supplied, "members": list(g.members)}
            for g in (windows.groups if windows else ())
        ],
        "matrix": sections["matrix"],
        "host_lanes": sections["host_lanes"],
        "attempts": sections["attempts"],
    }


def configuration_names(host: HostConfig) -> list[tuple[str, str]]:
    """Every (kind, name) a host's configuration holds, each once, in file order: the
    passwd, shadow and AIX accounts, the SYNC_USERS entries (``user``) and the SYNC_HOSTS
    DCs (``dc``). Evidence lines and warnings quote them; a report carries them as data
    so that redaction hides them even where no event names them."""
    sync_users = (host.sso.sync_users if host.sso else None) or ()
    sync_hosts = (host.sso.sync_hosts if host.sso else None) or ()
    users = [
        *(e.name for e in host.passwd or ()),
        *(e.name for e in host.shadow or ()),
        *(a.name for a in host.policy.aix_users),
        *(e.name for e in sync_users if e.name != "ALL"),
    ]
    dcs = [h.host for h in sync_hosts]
    pairs = [*(("user", u) for u in users), *(("dc", d) for d in dcs)]
    return list(dict.fromkeys(pair for pair in pairs if pair[1].strip()))


PRETTY_LIMIT = 1 << 20
"""Up to this many characters of compact JSON the report is indented for people; beyond
it, it is written compactly: indenting makes a large report half as large again, and
Python's indenting encoder is about ten times slower than the compact one."""

ITEMS_PER_PART = 500
"""List items encoded in one call of the compact encoder: few enough that one part stays
small (a problem's evidence holds event XML), many enough that calls cost nothing."""

_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def document_parts(document: dict[str, Any]) -> Iterator[str]:
    """The document as JSON text (indented when its compact text is at most
    :data:`PRETTY_LIMIT` characters), in parts to be written one after the other (UTF-8
    characters kept as they are).

    A large report is never held whole (nor its list of encoder chunks, nor its encoded
    bytes) next to the document: at most :data:`PRETTY_LIMIT` characters of it are held,
    to decide.
    """
    parts = _compact_parts(document)
    held: list[str] = []
    size = 0
    for part in parts:
        held.append(part)
        size += len(part)
        if size > PRETTY_LIMIT:
            yield from held
            yield from parts
            yield "\n"
            return
    yield json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _compact_parts(value: Any) -> Iterator[str]:
    """``value`` as compact JSON, the same text as one ``json.dumps``.

    Dicts are opened key by key and short lists item by item, so that one problem
    holding most events (its event references, its evidence) is not one part; long
    lists are encoded a slice of :data:`ITEMS_PER_PART` items at a time (the C encoder
    writes a slice as its items between brackets).
    """
    if isinstance(value, dict) and value and all(isinstance(key, str) for key in value):
        opening = "{"
        for key, item in value.items():
            yield opening + _COMPACT.encode(key) + ":"
            opening = ","
            yield from _compact_parts(item)
        yield "}"
    elif isinstance(value, list) and len(value) > ITEMS_PER_PART:
        yield "["
        for start in range(0, len(value), ITEMS_PER_PART):
            items = _COMPACT.encode(value[start : start + ITEMS_PER_PART])[1:-1]
            yield items if start == 0 else "," + items
        yield "]"
    elif isinstance(value, list) and value:
        opening = "["
        for item in value:
            yield opening
            opening = ","
            yield from _compact_parts(item)
        yield "]"
    else:
        yield _COMPACT.encode(value)

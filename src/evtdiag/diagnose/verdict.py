"""The verdict, as the seed defines it, and the evidence it rests on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from evtdiag.model import Outcome, PsyncEvent

OPERATIONAL = "operational"
WARNING = "warning"
FAILING = "failing"
NO_EVENTS = "no-psync-events"


def verdict(
    events: Sequence[PsyncEvent], success_ids: Sequence[int], outside_period: int = 0
) -> tuple[str, tuple[str, ...]]:
    """``operational`` (PSync events, no failure), ``warning`` (failures and successes),
    ``failing`` (failures, no success) or ``no-psync-events``; with the reasons.

    :param outside_period: PSync events left out by ``--since``/``--until``.
    """
    failures = [e for e in events if e.outcome is Outcome.FAILURE]
    successes = [e for e in events if e.outcome is Outcome.SUCCESS]
    if not events and outside_period:
        return NO_EVENTS, (
            f"No PSync event in the period asked for (--since/--until); the logs hold "
            f"{outside_period} outside it.",
        )
    if not events:
        return NO_EVENTS, (
            "No PSync event was found in the logs: check that the logs come from "
            "the DCs that run Password Synchronization, and the channel "
            "(Application and System) and time span of the export.",
        )
    reasons = [
        f"{len(events)} PSync event(s): {len(failures)} failure(s), {len(successes)} success(es)."
    ]
    if not successes:
        if success_ids:
            reasons.append(
                "No success events were logged; the logging level may hide them (IDMU has "
                "a logging setting whose values are not documented)."
            )
        else:
            reasons.append(
                "No success events were found: the id of 'Successfully changed "
                "password' is not documented, so pass --success-id if your DCs log "
                "it; the logging level may also hide them."
            )
            reasons.extend(_success_candidates(events))
    if not failures:
        return OPERATIONAL, tuple(reasons)
    if successes:
        reasons.append("Some passwords reach their UNIX hosts and others do not.")
        return WARNING, tuple(reasons)
    reasons.append("No password change is known to have reached a UNIX host.")
    return FAILING, tuple(reasons)


def _success_candidates(events: Sequence[PsyncEvent]) -> list[str]:
    """Unclassified PSync ids whose events carry a user and a host, as a success would."""
    counts = Counter(e.event_id for e in events if e.kind == "other" and len(e.record.data) >= 2)
    return [
        f"{count} PSync event(s) with id {event_id} name a user and a host and are not "
        f"classified: if that is 'Successfully changed password', rerun with "
        f"--success-id {event_id}."
        for event_id, count in counts.most_common(3)
    ]

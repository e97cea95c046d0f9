"""The verdict on the current state, and the evidence it rests on.

Only open problems count: a problem whose scope succeeded after its last failure was
fixed and verified, and a refusal that is the intended protection (severity info: the
superuser, an administrator in PasswordPropDeny) is no fault. Both stay listed in the
report, since the ticket needs the history.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from evtdiag.diagnose.explain import FALLBACK
from evtdiag.diagnose.model import Problem
from evtdiag.model import Outcome, PsyncEvent, SuccessIdentification, next_step_text

OPERATIONAL = "operational"
WARNING = "warning"
FAILING = "failing"
NO_EVENTS = "no-psync-events"


def counted(problems: Sequence[Problem]) -> list[Problem]:
    """The problems the verdict and the exit code count: open, and not intended."""
    return [p for p in problems if p.status == "open" and p.severity != "info"]


def verdict(
    events: Sequence[PsyncEvent],
    problems: Sequence[Problem],
    successes: SuccessIdentification,
    outside_period: int = 0,
    configurations_given: bool = True,
) -> tuple[str, tuple[str, ...]]:
    """``operational`` (no open problem), ``warning`` (open problems, and successes),
    ``failing`` (open problems, no success) or ``no-psync-events``; with the reasons.

    :param outside_period: PSync events left out by ``--since``/``--until``.
    :param configurations_given: False when no host configuration was supplied: the
        reasons then end with the next step, what to collect.
    """
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
    failures = sum(1 for e in events if e.outcome is Outcome.FAILURE)
    success_count = sum(1 for e in events if e.outcome is Outcome.SUCCESS)
    reasons = [f"{len(events)} PSync event(s): {failures} failure(s), {success_count} success(es)."]
    reasons.extend(_recognised(successes))
    if not success_count:
        reasons.extend(_no_success_reasons(events, successes))
    still_open = counted(problems)
    resolved = [p for p in problems if p.status == "resolved"]
    intended = [p for p in problems if p.status == "open" and p.severity == "info"]
    if resolved:
        reasons.append(
            f"{len(resolved)} problem(s) were fixed: their scope succeeded after the last "
            "failure (see the resolved problems)."
        )
    if intended:
        reasons.append(
            f"{len(intended)} problem(s) are refusals that protect a superuser, "
            "administrator or service account, as intended; they do not count."
        )
    if not still_open:
        if failures:
            reasons.append("No open problem: every failure was fixed since, or is intended.")
        return OPERATIONAL, tuple(reasons)
    if success_count:
        reasons.append(
            f"{len(still_open)} open problem(s): some passwords reach their UNIX hosts and "
            "others do not."
        )
        return WARNING, (*reasons, *next_step(still_open, configurations_given))
    reasons.append(
        f"{len(still_open)} open problem(s), and no password change is known to have reached "
        "a UNIX host."
    )
    return FAILING, (*reasons, *next_step(still_open, configurations_given))


def next_step(still_open: Sequence[Problem], configurations_given: bool) -> tuple[str, ...]:
    """What to collect when open problems are unexplained for want of the hosts'
    configurations: the reader of a logs-only report must learn how many and what to do,
    not only that evtdiag found no cause."""
    if configurations_given:
        return ()
    unexplained = sum(1 for p in still_open if any(c.code == FALLBACK for c in p.causes))
    if not unexplained:
        return ()
    return (next_step_text(unexplained, len(still_open)),)


def _recognised(successes: SuccessIdentification) -> list[str]:
    """Which ids were read as successes, in words for the ticket reader; how an id was
    inferred (and how to confirm it) is in the report's notes, beside the coverage."""
    if not successes.sources:
        return []
    ids = ", ".join(f"id {s.event_id} ({s.basis})" for s in successes.sources)
    return [f"Successes recognised: {ids}."]


def _no_success_reasons(
    events: Sequence[PsyncEvent], successes: SuccessIdentification
) -> list[str]:
    if successes.sources:
        return [
            "No success events were logged; the logging level may hide them (IDMU has "
            "a logging setting whose values are not documented)."
        ]
    reasons = [
        "No success events were found: the id of 'Successfully changed password' is not "
        "documented and none could be inferred, so pass --success-id if your DCs log it; "
        "the logging level may also hide them."
    ]
    return reasons + _success_candidates(events, set(successes.candidates))


def _success_candidates(events: Sequence[PsyncEvent], named: set[int]) -> list[str]:
    """Unclassified PSync ids whose events carry a user and a host, as a success would
    (those the success identification already named aside)."""
    counts = Counter(
        e.event_id
        for e in events
        if e.kind == "other" and len(e.record.data) >= 2 and e.event_id not in named
    )
    return [
        f"{count} PSync event(s) with id {event_id} name a user and a host and are not "
        f"classified: if that is 'Successfully changed password', rerun with "
        f"--success-id {event_id}."
        for event_id, count in counts.most_common(3)
    ]

"""Stage 4: explain every failure with evidence, sort failures by scope, audit, give the verdict.

:func:`diagnose` is the stage's one entry point; it reads the earlier stages' values
and returns a :class:`~evtdiag.diagnose.model.Diagnosis` that renderers show as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

from evtdiag.diagnose.audit import AuditContext, run_audit
from evtdiag.diagnose.context import HostResolver
from evtdiag.diagnose.explain import explain_all, failure_groups
from evtdiag.diagnose.fixes import plan_fixes
from evtdiag.diagnose.model import Diagnosis, Problem
from evtdiag.diagnose.scope import classify
from evtdiag.diagnose.verdict import counted, verdict
from evtdiag.hosts.inventory import Inventory
from evtdiag.hosts.model import WindowsSide
from evtdiag.model import (
    ConfigWarning,
    InputCoverage,
    Outcome,
    PsyncEvent,
    SuccessIdentification,
    SuccessSource,
)
from evtdiag.names import account_key

__all__ = ["diagnose"]


def diagnose(
    events: Sequence[PsyncEvent],
    inputs: Sequence[InputCoverage],
    inventory: Inventory | None,
    windows: WindowsSide | None,
    success_ids: Sequence[int] = (),
    outside_period: int = 0,
    successes: SuccessIdentification | None = None,
) -> Diagnosis:
    """The whole diagnosis of ``events`` against the supplied configurations.

    ``successes`` says how the success events were recognised; without it the
    ``success_ids`` are taken as given by the user.
    """
    if successes is None:
        successes = SuccessIdentification(
            tuple(SuccessSource(i, "given") for i in sorted(set(success_ids)))
        )
    resolver = HostResolver(inventory)
    explained = explain_all(failure_groups(events, resolver), inventory, windows)
    problems = plan_fixes(
        classify(explained, events, resolver), inventory, windows, resolver, successes.ids
    )
    audit = run_audit(AuditContext(inventory, windows, events, resolver))
    state, reasons = verdict(
        events, problems, successes, outside_period, configurations_given=inventory is not None
    )
    alerts = _alerts(events, inventory, resolver)
    return Diagnosis(
        verdict=state,
        verdict_reasons=reasons,
        problems=tuple(problems),
        audit=tuple(audit),
        events=tuple(events),
        inputs=tuple(inputs),
        unmatched_hosts=_unmatched(events, resolver),
        unreferenced_hosts=_unreferenced(events, inventory, resolver),
        success_ids=successes.ids,
        config_warnings=_warnings(inventory, windows),
        notes=(
            *alerts,
            *_notes(inputs, inventory, windows),
            *successes.notes,
            *successes.warnings,
        ),
        alerts=alerts,
        counts=_counts(events, problems, resolver),
        successes=successes,
        host_ids={e.host: resolver.host_id(e.host) or "" for e in events if e.host},
    )


def _counts(
    events: Sequence[PsyncEvent], problems: Sequence[Problem], resolver: HostResolver
) -> dict[str, int]:
    """Accounts, hosts and (account, host) pairs by identity: all of them, those with a
    failure, and those an open problem that counts still holds (what still needs fixing,
    as opposed to what failed at some point).

    Counted from each problem's subject, never from its events (a sample): an account
    is open when it has an open problem of its own (account or pair scope: a problem
    names its ``account`` only then), not when a host-wide or DC-wide problem swept it
    in (one bad host made the tile read "811 of 811 accounts with an open problem"); a
    host likewise (host or pair scope, or the one host of a DC problem); a pair is
    failing in any problem whose failures name it (:attr:`Problem.pairs`)."""
    failures = [e for e in events if e.outcome is Outcome.FAILURE]
    still = counted(problems)
    return {
        "accounts": len({account_key(e.user) for e in events if e.user}),
        "accounts_failing": len({account_key(e.user) for e in failures if e.user}),
        "accounts_open": len({account_key(p.account) for p in still if p.account}),
        "hosts": len({resolver.host_id(e.host) for e in events if e.host}),
        "hosts_failing": len({resolver.host_id(e.host) for e in failures if e.host}),
        "hosts_open": len({resolver.host_id(p.host) for p in still if p.host}),
        "pairs": len(_pairs(events, resolver)),
        "pairs_open": len({pair for problem in still for pair in problem.pairs}),
    }


def _pairs(events: Sequence[PsyncEvent], resolver: HostResolver) -> set[tuple[str, str | None]]:
    """The (account, host) identities that were tried, failures and successes alike."""
    return {
        (account_key(e.user), resolver.host_id(e.host))
        for e in events
        if e.user and e.host and e.outcome is not Outcome.INFO
    }


def _unmatched(events: Sequence[PsyncEvent], resolver: HostResolver) -> tuple[str, ...]:
    if resolver.inventory is None:
        return ()
    names = {e.host for e in events if e.host}
    return tuple(
        sorted(
            (n for n in names if (m := resolver.match(n)) is None or m.host is None),
            key=str.casefold,
        )
    )


def _alerts(
    events: Sequence[PsyncEvent], inventory: Inventory | None, resolver: HostResolver
) -> tuple[str, ...]:
    """``--hosts`` that configures none of the hosts the events name: a wrong folder, one
    host's folder instead of their parent, an empty one. Every cause on the UNIX side
    would silently read as "no configuration"."""
    if inventory is None:
        return ()
    named = {resolver.host_id(e.host) for e in events if e.host}
    if not named or any(m.host for e in events if (m := resolver.match(e.host))):
        return ()
    return (
        f"none of the {len(named)} hosts in the events has a configuration in "
        f"{inventory.root} ({len(inventory.hosts)} host folder(s) or archive(s) there): "
        "check --hosts, which takes the folder that holds one folder (or collector "
        "archive) per UNIX host",
    )


def _unreferenced(
    events: Sequence[PsyncEvent], inventory: Inventory | None, resolver: HostResolver
) -> tuple[str, ...]:
    if inventory is None:
        return ()
    seen = {resolver.host_id(e.host) for e in events if e.host}
    return tuple(h.name for h in inventory.hosts if h.name.casefold() not in seen)


def _warnings(
    inventory: Inventory | None, windows: WindowsSide | None
) -> tuple[ConfigWarning, ...]:
    found: list[ConfigWarning] = []
    if inventory is not None:
        found.extend(inventory.warnings)
        for host in inventory.hosts:
            found.extend(host.warnings)
    if windows is not None:
        found.extend(windows.warnings)
    return tuple(found)


def _notes(
    inputs: Sequence[InputCoverage], inventory: Inventory | None, windows: WindowsSide | None
) -> tuple[str, ...]:
    notes = []
    if inventory is None:
        notes.append(
            "No UNIX host configurations were supplied (--hosts): causes on the UNIX "
            "side could not be checked."
        )
    if windows is None:
        notes.append(
            "No Windows settings were supplied (--windows): group membership and the "
            "Windows password policy could not be checked."
        )
    lost = sum(1 for c in inputs for s in c.skipped if s.lost)
    if lost:
        notes.append(
            f"{lost} damaged place(s) in the logs could not be read; events there "
            "are missing from this diagnosis (see the coverage)."
        )
    skipped = [c.path for c in inputs if c.format == "skipped"]
    if skipped:
        notes.append(f"{len(skipped)} input file(s) were not event logs and were skipped.")
    return tuple(notes)

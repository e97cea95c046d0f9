"""Audit rule on the DCs' agreement: the only one that looks at events, since the DCs' own
configuration is not among the inputs and their disagreement can only be seen in what
they did."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from evtdiag.diagnose.audit import AuditContext, Hits, audits
from evtdiag.diagnose.context import event_evidence
from evtdiag.diagnose.registry import Finding
from evtdiag.model import Outcome, PsyncEvent


@audits(
    "dc-config-inconsistent",
    title="The DCs do not agree about a host",
    basis="inferred",
    severity="warning",
    remediation="Configure Password Synchronization identically on every "
    "DC (same UNIX hosts, default key and port), and list every DC in each host's "
    "SYNC_HOSTS.",
)
def dc_config_inconsistent(ctx: AuditContext) -> Hits:
    """Microsoft asks for every DC to be configured identically (hosts, key, port). The
    events suggest DCs that disagree: one sends to a host the other never sends to, or a
    host accepts an account's password through one DC and refuses the same account through
    another. Reading that from the events is evtdiag's heuristic."""
    hits: Hits = []
    sent: dict[str, dict[str, PsyncEvent]] = defaultdict(dict)
    outcomes: dict[str, dict[str, dict[Outcome, PsyncEvent]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    refused: dict[tuple[str, str], set[str]] = defaultdict(set)
    accepted: dict[tuple[str, str], set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for event in ctx.events:
        host = ctx.resolver.host_id(event.host)
        if host is None or event.outcome is Outcome.INFO:
            continue
        dc = event.dc.casefold()
        if not dc:  # an export without the computer name (CSV): no DC to compare
            continue
        names.setdefault(dc, event.dc)
        sent[dc].setdefault(host, event)
        outcomes[host][dc].setdefault(event.outcome, event)
        if event.user:
            outcome_of = refused if event.outcome is Outcome.FAILURE else accepted
            outcome_of[(host, dc)].add(event.user.casefold())
    if len(sent) >= 2:
        # One finding per disagreement (which DCs send, which never do), listing its hosts.
        silent_for: dict[tuple[tuple[str, ...], tuple[str, ...]], list[PsyncEvent]] = defaultdict(
            list
        )
        dcs = sorted(sent)  # once, not once per host
        for host in sorted(set().union(*(set(hosts) for hosts in sent.values()))):
            senders = tuple(dc for dc in dcs if host in sent[dc])
            if len(senders) < len(dcs):
                silent = tuple(dc for dc in dcs if host not in sent[dc])
                silent_for[(senders, silent)].append(sent[senders[0]][host])
        for (senders, silent), examples in silent_for.items():
            hosts = [e.host or "?" for e in examples]
            listed = ", ".join(hosts[:20]) + (
                f" and {len(hosts) - 20} more" if len(hosts) > 20 else ""
            )
            hits.append(
                (
                    examples[0].host if len(examples) == 1 else None,
                    Finding(
                        tuple(event_evidence(e) for e in examples[:5]),
                        detail=f"{_names(senders, names)} send(s) passwords to {listed}; "
                        f"{_names(silent, names)} never did in these logs.",
                    ),
                )
            )
    for host, by_dc in sorted(outcomes.items()):
        good = sorted(dc for dc, seen in by_dc.items() if Outcome.SUCCESS in seen)
        accepted_here = set().union(*(accepted[(host, dc)] for dc in good)) if good else set()
        bad = sorted(
            dc
            for dc, seen in by_dc.items()  # one account alone is not a pattern
            if Outcome.SUCCESS not in seen
            and len(refused[(host, dc)]) >= 2
            and refused[(host, dc)] & accepted_here  # the same account gets through elsewhere
        )
        if good and bad:
            example_bad = by_dc[bad[0]][Outcome.FAILURE]
            example_good = by_dc[good[0]][Outcome.SUCCESS]
            hits.append(
                (
                    example_bad.host,
                    Finding(
                        (event_evidence(example_bad), event_evidence(example_good)),
                        detail=f"passwords reach {example_bad.host} through "
                        f"{_names(good, names)} but only fail through {_names(bad, names)}.",
                    ),
                )
            )
    return hits


def _names(dcs: Sequence[str], names: dict[str, str]) -> str:
    return ", ".join(names.get(dc, dc) for dc in dcs)

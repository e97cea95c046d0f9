"""Group the failures and run the cause rules on each group."""

from __future__ import annotations

from collections.abc import Iterable

from evtdiag.diagnose.causes import causes
from evtdiag.diagnose.context import FailureGroup, HostResolver, RuleContext, event_kind
from evtdiag.diagnose.model import Cause
from evtdiag.diagnose.registry import Finding, Rule
from evtdiag.hosts.inventory import Inventory
from evtdiag.hosts.model import WindowsSide
from evtdiag.model import Outcome, PsyncEvent
from evtdiag.names import account_key

FALLBACK = "unexplained"
CauseRule = Rule[RuleContext, "Finding | None"]
"""A rule of the :data:`~evtdiag.diagnose.causes.causes` registry."""


def failure_groups(events: Iterable[PsyncEvent], resolver: HostResolver) -> list[FailureGroup]:
    """Failures grouped by (kind, account, host, DC), in a deterministic order."""
    grouped: dict[tuple[str, str, str, str], list[PsyncEvent]] = {}
    for event in events:
        if event.outcome is not Outcome.FAILURE:
            continue
        key = (
            event.kind,
            account_key(event.user) if event.user else "",
            resolver.host_id(event.host) or "",
            event.dc.casefold(),
        )
        grouped.setdefault(key, []).append(event)
    groups = []
    for key in sorted(grouped):
        members = tuple(grouped[key])
        first = members[0]
        groups.append(
            FailureGroup(
                kind=first.kind,
                event_id=first.event_id,
                account=first.user,
                rhost=first.host,
                dc=first.dc,
                events=members,
                match=resolver.match(first.host),
                host_id=key[2] or None,
                account_id=key[1] or None,
            )
        )
    return groups


def explain(context: RuleContext, rules: Iterable[CauseRule]) -> tuple[Cause, ...]:
    """Every cause that applies to the group, strongest first; never empty.

    ``rules`` are the registered rules that can explain the group's kind
    (:func:`rules_for`), selected by the caller once per kind rather than per group.

    A cause documented by the group's event id comes first whatever else applies (the
    configurations only add evidence to it). ``unexplained`` is tried only when no other
    rule applies; when even it does not, the failure is still reported under the
    event's own meaning.
    """
    found: list[Cause] = []
    fallback = None
    for rule in rules:
        finding = rule.check(context)
        if finding is None:
            continue
        cause = _cause(rule, finding, context)
        if rule.code == FALLBACK:
            fallback = cause
        elif context.group.kind in rule.documented_by:
            found.insert(0, cause)  # the event id itself documents this cause
        else:
            found.append(cause)
    if found:
        return tuple(found)
    if fallback is not None:
        return (fallback,)
    return (_cause(causes.get(FALLBACK), None, context),)


def rules_for(kind: str) -> tuple[CauseRule, ...]:
    """The registered rules that can explain failures of ``kind``, in order of strength."""
    return tuple(rule for rule in causes.rules if kind in rule.kinds)


def _cause(rule: CauseRule, finding: Finding | None, context: RuleContext) -> Cause:
    kind = event_kind(context.group.kind)
    basis = finding.basis if finding is not None and finding.basis else rule.basis
    return Cause(
        code=rule.code,
        basis=basis,
        severity=(finding.severity if finding is not None else None) or rule.severity,
        title=rule.title,
        explanation=rule.explanation,
        remediation=(finding.remediation if finding is not None else None) or rule.remediation,
        evidence=finding.evidence if finding is not None else (),
        doc_url=kind.doc_url if kind is not None else None,
        detail=finding.detail if finding is not None else "",
    )


def explain_all(
    groups: Iterable[FailureGroup], inventory: Inventory | None, windows: WindowsSide | None
) -> list[tuple[FailureGroup, tuple[Cause, ...]]]:
    """Every group with its causes; the rules for a kind are selected once, not per group
    (a dense log has a group for nearly every failure)."""
    rules_of: dict[str, tuple[CauseRule, ...]] = {}
    explained = []
    for group in groups:
        rules = rules_of.get(group.kind)
        if rules is None:
            rules = rules_of[group.kind] = rules_for(group.kind)
        explained.append((group, explain(RuleContext(group, inventory, windows), rules)))
    return explained

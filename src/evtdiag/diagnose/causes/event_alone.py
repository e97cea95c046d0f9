"""Causes the event alone gives: the id documents the cause (8200, 8226, 8230, 12296), or
the event lacks an insertion string Microsoft documents for it.

Nothing in the configurations is needed to know them, so they hold without ``--hosts``.
"""

from __future__ import annotations

from evtdiag.diagnose.causes import HOST_EVENTS, causes
from evtdiag.diagnose.context import RuleContext, event_kind
from evtdiag.diagnose.registry import Finding


@causes(
    "incomplete-event",
    title="The event does not name the account or the host",
    basis="inferred",
    severity="warning",
    kinds=(*HOST_EVENTS, "unknown-host", "deny-group", "not-in-allow-group"),
    remediation="Look at the raw event XML: its data items should hold the remote user "
    "and host. A filtered or converted export may have dropped them; export the log "
    "again with wevtutil epl.",
)
def incomplete_event(ctx: RuleContext) -> Finding | None:
    """The event lacks an insertion string Microsoft documents for it (the remote user or
    the UNIX host), so nothing about that account or host could be checked."""
    kind = event_kind(ctx.group.kind)
    present = {"user": ctx.group.account, "host": ctx.group.rhost}
    missing = [what for what in (kind.inserts if kind else ()) if not present.get(what)]
    return Finding((), detail=f"Missing: {', '.join(missing)}.") if missing else None


@causes(
    "unknown-host",
    title="The DC cannot resolve the UNIX host name",
    basis="documented",
    severity="error",
    kinds=("unknown-host",),
    remediation="Check that the host name in the IDMU host list is right and resolves "
    "(nslookup, ping) from every DC; correct DNS or the host list.",
    scope="host",
    documented_by=("unknown-host",),
)
def unknown_host(ctx: RuleContext) -> Finding | None:
    """Event 8200: the host name in the Password Synchronization host list does not
    resolve to an IP address on the DC that logged it."""
    return Finding(())


@causes(
    "untrusted-host",
    title="A UNIX host is not in the DC's host list",
    basis="documented",
    severity="error",
    kinds=("untrusted-host",),
    remediation="Add the UNIX host to the Password Synchronization host list on every DC.",
    scope="host",
    documented_by=("untrusted-host",),
)
def untrusted_host(ctx: RuleContext) -> Finding | None:
    """Event 8226: a UNIX host sent a password change but is not in the DC's list of
    UNIX hosts (UNIX-to-Windows direction)."""
    return Finding(())


@causes(
    "unrecognized-password",
    title="The DC could not read the password it received",
    basis="documented",
    severity="error",
    kinds=("unrecognized-password",),
    remediation="Make sure the right ssod/pam_sso version is installed and that all DCs "
    "are configured identically (hosts, default key, port).",
    scope="account",
    documented_by=("unrecognized-password",),
)
def unrecognized_password(ctx: RuleContext) -> Finding | None:
    """Event 8230: a password arrived incomplete or unreadable (UNIX-to-Windows)."""
    return Finding(())


@causes(
    "encryption-key-policy",
    title="The encryption key does not meet the key policy",
    basis="documented",
    severity="error",
    kinds=("weak-key-policy",),
    remediation="Generate a new key in the IDMU console (16 to 21 characters, three of "
    "upper case, lower case, digits and punctuation) and put it in every sso.conf.",
    scope="dc",
    documented_by=("weak-key-policy",),
)
def encryption_key_policy(ctx: RuleContext) -> Finding | None:
    """Event 12296: the key is shorter than the 2008 R2 policy allows or uses too few
    character classes."""
    return Finding(())

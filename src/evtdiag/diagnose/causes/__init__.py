"""The cause rules: why did this group of failures happen?

One small function per cause code (docs/contract.md, Cause codes), in one module per
family of evidence: what the event itself documents or lacks (:mod:`.event_alone`),
the Windows side's groups (:mod:`.windows_side`), the host's sso.conf
(:mod:`.sso_conf`), its UNIX accounts (:mod:`.unix_accounts`), and what is said when
the inputs explain nothing (:mod:`.fallback`). Each docstring is the explanation the
report shows; what Microsoft documents and what evtdiag infers is kept apart in
``basis`` (docs/contract.md, Cause codes: the basis of each code).

:data:`ORDER` is the order of strength, whichever module a rule lives in: configuration
faults that refuse every user of a host come before the per-user ones, so the first
rule that applies is the best explanation.
"""

from __future__ import annotations

from evtdiag.diagnose.context import RuleContext
from evtdiag.diagnose.registry import Finding, Registry

ORDER = (
    "incomplete-event",
    "unknown-host",
    "no-host-config",
    "windows-deny-group",
    "windows-not-in-allow-group",
    "encryption-key-mismatch",
    "untrusted-host",
    "unrecognized-password",
    "encryption-key-policy",
    "password-file-mismatch",
    "dc-not-in-sync-hosts",
    "superuser",
    "sync-users-excluded",
    "sync-users-not-listed",
    "name-case-mismatch",
    "unix-account-missing",
    "unix-account-disabled",
    "unexplained",
)
"""Every cause code once, strongest first (the registry lists its rules in this order)."""

causes: Registry[RuleContext, Finding | None] = Registry(ORDER)

UNIX_DENIED = ("user-denied",)
HOST_EVENTS = ("user-denied", "key-mismatch", "account-disabled")

# The families register their rules with ``causes`` when imported, so they come after it.
from evtdiag.diagnose.causes import (  # noqa: E402, F401
    event_alone,
    fallback,
    sso_conf,
    unix_accounts,
    windows_side,
)

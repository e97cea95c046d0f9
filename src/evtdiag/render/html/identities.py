"""Who a problem is about, as the identities the diagnosis counted.

The same account and host are spelt many ways in the events (``KSmith``,
``CORP\\ksmith``; ``web01``, ``WEB01.corp.example.com``): the timeline places a
problem's success by identity, so that a lane is one host however it was written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from evtdiag.document import host_identities, host_identity
from evtdiag.names import account_key

Identities = Mapping[str, str]
"""Host name as spelled in the events -> the host identity the diagnosis counted
(:func:`evtdiag.document.host_identities`)."""
Key = tuple[str, str, str]
"""(account, host, DC) identities; '' where a subject names none."""


def subject_key(problem: dict[str, Any], identities: Identities) -> Key:
    """Who the problem is about, as identities (an older report's from its names)."""
    subject = problem.get("subject")
    if subject:
        return (subject["account"] or "", subject["host"] or "", subject["dc"] or "")
    return (
        account_key(problem["account"]) if problem["account"] else "",
        host_identity(problem["host"], identities),
        (problem["dc"] or "").casefold(),
    )


__all__ = ["Identities", "Key", "host_identities", "host_identity", "subject_key"]

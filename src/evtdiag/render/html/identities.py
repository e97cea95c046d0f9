"""Who an event or a problem is about, as the identities the diagnosis counted.

The same account and host are spelt many ways in the events (``KSmith``,
``CORP\\ksmith``; ``web01``, ``WEB01.corp.example.com``): the matrix and the timeline
tally them by identity, so that a row or a lane is one host however it was written.
"""

from __future__ import annotations

from typing import Any

from evtdiag.names import account_key, host_key

Identities = dict[str, str]
"""Host name as spelled in the events -> the host identity the diagnosis counted."""
Key = tuple[str, str, str]
"""(account, host, DC) identities; '' where a subject names none."""


def host_identities(document: dict[str, Any]) -> Identities:
    """The document's ``host_identities`` as a spelling -> identity table."""
    return {item["host"]: item["identity"] for item in document["host_identities"]}


def host_identity(name: str | None, identities: Identities) -> str:
    """The diagnosis's identity of a host name; for a name it does not list (a report
    written before ``host_identities``), the folded short name, as the diagnosis and
    ``compare`` fold it when no configuration ties names together (``WEB01.corp`` is
    ``web01``, an IP address stays whole)."""
    if not name:
        return ""
    return identities.get(name) or host_key(name)


def event_key(event: dict[str, Any], identities: Identities) -> Key:
    """The identities an event names."""
    return (
        account_key(event["user"]) if event["user"] else "",
        host_identity(event["host"], identities),
        (event["dc"] or "").casefold(),
    )


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

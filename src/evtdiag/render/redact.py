"""Redaction: replace user, host, DC and domain names and IP addresses by pseudonyms.

A transformation of the JSON document, applied before any renderer, so the HTML, the
JSON and the text of one redacted report say exactly the same thing.

The names come from the document's structured fields (event users, hosts and DCs,
problem subjects, input computers, host configurations and their aliases, Windows group
members, the account an evidence line is about: its ``subject``), never from prose; an
FQDN is split into its first label (a host or DC) and its domain. Each name gets a stable
pseudonym, ``user-7f3a``, ``host-2c91``, ``dc-…``, ``domain-…``, ``ip-…``: the first hex
digits of HMAC-SHA256(key, kind:name), so two reports redacted with the same key use the
same pseudonyms. Then every string of the document (paths, evidence lines, raw event XML,
the command line) has every name replaced, longest first, case-insensitively, and only
where the name stands as a word (not inside a longer name). :class:`Vocabulary` finds the
names with dictionary lookups, so the cost grows with the text, not with the text times
the number of names.

The key and the pseudonym-to-name mapping never go into the document: the caller
writes them to a local file (:func:`mapping_document`) so the sender can decode answers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from evtdiag.errors import UsageError
from evtdiag.names import split_account, split_first_label, trim_host

KEY_BYTES = 32
MAPPING_FORMAT = "evtdiag-redaction/1"

# Values that are codes of the contract, never names: left as they are.
_PROTECTED_KEYS = frozenset(
    {
        "schema",
        "verdict",
        "scope",
        "cause",
        "severity",
        "basis",
        "rule",
        "kind",
        "outcome",
        "format",
        "sha256",
        "doc_url",
        "generated_at",
        "time",
        "first_seen",
        "last_seen",
        "first_time",
        "last_time",
        "time_zone",
    }
)
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
# Windows built-ins whose names are not personal data and appear in the prose.
_BUILTIN_ACCOUNTS = frozenset({
    "administrator", "krbtgt", "guest", "default",
    # Well-known groups that appear as (nested) members; naming them reveals nothing.
    "administrators", "domain admins", "enterprise admins", "schema admins", "domain users",
    "passwordpropallow", "passwordpropdeny",
})  # fmt: skip
_NAME_CHAR = r"[\w$]"
# Where a name can begin and end: at the edges of a run of name characters, or, for a
# name that begins or ends otherwise, anywhere the neighbouring character allows.
_RUN_STARTS = re.compile(rf"(?<!{_NAME_CHAR})(?={_NAME_CHAR})")
_RUN_ENDS = re.compile(rf"(?<={_NAME_CHAR})(?!{_NAME_CHAR})")
_ANY_STARTS = re.compile(rf"(?<!{_NAME_CHAR})(?=.)", re.DOTALL)
_ANY_ENDS = re.compile(rf"(?<=.)(?!{_NAME_CHAR})", re.DOTALL)
# Names are compared as ``re.IGNORECASE`` compared them when one regex of every name did
# the work: one character with one, equal when their casefolds are, and the Turkish
# dotless and dotted i (U+0131, U+0130) equal to i too (checked against ``re`` over
# every code point).
_DOTLESS_AND_DOTTED_I = str.maketrans({"\u0131": "i", "\u0130": "i"})
# The casefold of U+0345 (a combining mark, not a name character) is a name character,
# the Greek iota.
_FOLD_OF_A_NON_NAME_CHAR = "\u03b9"


@dataclass
class Redactor:
    """Pseudonyms for a set of names under one key."""

    key: bytes
    pseudonyms: dict[str, str] = field(default_factory=dict)
    """Casefolded name -> pseudonym."""
    originals: dict[str, str] = field(default_factory=dict)
    """Pseudonym -> the name as first seen."""

    @classmethod
    def new_key(cls) -> bytes:
        return secrets.token_bytes(KEY_BYTES)

    def add(self, kind: str, name: str) -> None:
        """Give ``name`` a pseudonym of ``kind`` unless it already has one."""
        name = name.strip()
        folded = name.casefold()
        if not name or folded in self.pseudonyms:
            return
        digest = hmac.new(self.key, f"{kind}:{folded}".encode(), hashlib.sha256).hexdigest()
        for length in range(4, len(digest) + 1, 2):
            pseudonym = f"{kind}-{digest[:length]}"
            if pseudonym not in self.originals:
                break
        self.pseudonyms[folded] = pseudonym
        self.originals[pseudonym] = name

    def rekey_id(self, value: str) -> str:
        """A problem or finding id is a hash of its subject: re-hash it under the key,
        or a dictionary of likely names would reveal the subject."""
        prefix, _, _ = value.partition("-")
        digest = hmac.new(self.key, f"id:{value}".encode(), hashlib.sha256).hexdigest()
        return f"{prefix}-{digest[:10]}"

    def apply(self, document: dict[str, Any]) -> dict[str, Any]:
        """A copy of ``document`` with every name replaced in every string."""
        vocabulary = Vocabulary(self.pseudonyms)
        redacted_texts: dict[str, str] = {}  # the document repeats most of its strings

        def text(value: str) -> str:
            if value not in redacted_texts:
                named = vocabulary.replace(value)
                redacted_texts[value] = _IPV4.sub(
                    lambda m: self.pseudonyms.get(m.group(), m.group()), named
                )
            return redacted_texts[value]

        def walk(value: Any, key: str | None = None) -> Any:
            if isinstance(value, str) and key == "id":
                return self.rekey_id(value)
            if isinstance(value, str):
                return value if key in _PROTECTED_KEYS else text(value)
            if isinstance(value, dict):
                return {k: walk(v, k) for k, v in value.items()}
            if isinstance(value, list):
                return [walk(v, key) for v in value]
            return value

        redacted = walk(document)
        redacted["redaction"] = {
            "scheme": "hmac-sha256",
            "key_id": key_id(self.key),
            "names": len(self.pseudonyms),
        }
        return redacted


def _fold(text: str) -> str:
    """``text`` as names are compared; it equals a name of its own length only if it
    keeps that length (ß folds to ss and equals no single character of a name)."""
    return text.translate(_DOTLESS_AND_DOTTED_I).casefold()


class Vocabulary:
    """Casefolded names and their pseudonyms, found in a text by dictionary lookups.

    One regular expression alternating thousands of names tries every name at every
    position of every string: 170 s for a report of 20,000 events. Here each place a name
    could begin (after a character that is not a name character) whose first characters
    begin some name is tried against the places a name could end, longest first, each
    one lookup.
    """

    def __init__(self, pseudonyms: dict[str, str]) -> None:
        self._pseudonyms = pseudonyms
        self._by_fold: dict[str, str] = {}
        for name in sorted(pseudonyms):
            for spelling in _spellings(name):
                self._by_fold.setdefault(_fold(spelling), pseudonyms[name])
        self._lengths = frozenset(map(len, self._by_fold))
        self._longest = max(self._lengths, default=0)
        self._prefix_length = min(self._lengths, default=0)
        self._prefixes = frozenset(name[: self._prefix_length] for name in self._by_fold)
        odd = any(map(_edges_outside_runs, pseudonyms))
        self._starts = _ANY_STARTS if odd else _RUN_STARTS
        self._ends = _ANY_ENDS if odd else _RUN_ENDS

    def replace(self, text: str) -> str:
        """``text`` with each name standing as a word replaced by its pseudonym."""
        pieces: list[str] = []
        done = 0
        for start, end, pseudonym in self._matches(text):
            pieces += (text[done:start], pseudonym)
            done = end
        return "".join(pieces) + text[done:] if pieces else text

    def _matches(self, text: str) -> Iterator[tuple[int, int, str]]:
        """Left to right and without overlap, the longest name at each place it may begin."""
        done = 0
        for found in self._starts.finditer(text):
            start = found.start()
            if start >= done and self._may_begin_at(text, start):
                match = self._longest_at(text, start)
                if match:
                    done = match[1]
                    yield match

    def _may_begin_at(self, text: str, start: int) -> bool:
        """Whether the text at ``start`` begins as some name does (every name is at least
        ``_prefix_length`` long): one lookup rules out most places."""
        return _fold(text[start : start + self._prefix_length]) in self._prefixes

    def _longest_at(self, text: str, start: int) -> tuple[int, int, str] | None:
        """The longest name beginning at ``start`` and ending where a name may end."""
        # Past the window's end ``_ends`` sees the end of the text: no name is that long.
        window = self._ends.finditer(text, start + 1, start + self._longest + 1)
        ends = [m.start() for m in window if m.start() - start in self._lengths]
        for end in reversed(ends):
            span = text[start:end]
            folded = _fold(span)
            pseudonym = self._by_fold.get(folded) if len(folded) == len(span) else None
            if pseudonym is not None:
                # The pseudonym of the name as written here, as the regex this replaced
                # chose; failing that (a dotless i for an i), that of the name it equals.
                return start, end, self._pseudonyms.get(span.casefold(), pseudonym)
        return None


def _spellings(name: str) -> tuple[str, ...]:
    """``name`` as written, and as the event XML in the document's strings escapes it
    in text and in attribute values: ``r&d_svc`` stands there as ``r&amp;d_svc``.

    Escaping turns only characters that are not name characters into ``&...;``, so a
    spelling begins and ends where its name does (see :func:`_edges_outside_runs`).
    """
    return tuple(dict.fromkeys((name, escape(name), escape(name, {'"': "&quot;"}))))


def _edges_outside_runs(name: str) -> bool:
    """Whether ``name`` may stand in a text where a run of name characters does not begin
    or end: its first or last character is not a name character, or is the fold of one
    that is not."""
    return any(
        edge == _FOLD_OF_A_NON_NAME_CHAR or not re.fullmatch(_NAME_CHAR, edge)
        for edge in (name[0], name[-1])
    )


def key_id(key: bytes) -> str:
    """A short fingerprint of the key: shows two reports used the same one."""
    return hashlib.sha256(b"evtdiag-redaction-key:" + key).hexdigest()[:12]


def _split(name: str) -> tuple[str, str | None]:
    """``web01.corp.example.com`` -> (``web01``, ``corp.example.com``); IPs stay whole."""
    name = trim_host(name)  # the case kept: pseudonyms replace names as written
    if "\\" in name:
        name = name.rsplit("\\", 1)[1]
    if _IPV4.fullmatch(name):  # redaction's own notion of an address, not names.host_key's
        return name, None
    return split_first_label(name)


def collect_names(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Every (kind, name) the document's structured fields hold."""
    events = document.get("events", {}).get("items", [])
    dcs = {e.get("dc") for e in events}
    for problem in document.get("problems", []):
        dcs.add(problem.get("dc"))
        for ref in problem.get("events", []):
            dcs.add(ref.get("dc"))
    for coverage in document.get("inputs", []):
        dcs.update(coverage.get("computers", []))
    for dc in filter(None, dcs):
        yield from _machine("dc", dc)

    hosts: set[str] = set()
    users: set[str] = set()
    for event in events:
        hosts.add(event.get("host") or "")
        users.add(event.get("user") or "")
    for problem in document.get("problems", []):
        hosts.update([problem.get("host") or "", *problem.get("hosts", [])])
        users.update([problem.get("account") or "", *problem.get("accounts", [])])
        for ref in problem.get("events", []):
            hosts.add(ref.get("host") or "")
            users.add(ref.get("account") or "")
    for finding in document.get("audit", []):
        hosts.add(finding.get("host") or "")
    users.update(item.get("subject") or "" for item in _evidence(document))
    hosts.update(document.get("unmatched_hosts", []))
    hosts.update(document.get("unreferenced_hosts", []))
    for config in document.get("host_configs", []):
        hosts.update([config.get("name") or "", *config.get("aliases", [])])
    for group in document.get("windows_groups", []):
        users.update(m.strip() for m in group.get("members", []))  # "John Smith" too
    for host in filter(None, hosts):
        host = re.sub(r"\.tar\.gz$|\.tgz$", "", host)
        yield from _machine("host", host)
    for user in filter(None, users):
        name, domain = split_account(user)
        if name.casefold() not in _BUILTIN_ACCOUNTS:
            yield "user", name
        if domain:
            yield "domain", domain


def _evidence(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every evidence item of the document: of the problems, their causes, and the audit.

    Reports written before evidence had a ``subject`` are refused (:func:`redact_document`):
    the accounts only their evidence lines named (uid 0, locked, DES hash) cannot be found.
    """
    for problem in document.get("problems", []):
        yield from problem.get("evidence", [])
        for cause in problem.get("causes", []):
            yield from cause.get("evidence", [])
    for finding in document.get("audit", []):
        yield from finding.get("evidence", [])


def _machine(kind: str, name: str) -> Iterator[tuple[str, str]]:
    first, domain = _split(name)
    yield ("ip" if _IPV4.fullmatch(first) else kind), first
    if domain:
        yield "domain", domain


def _ips(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield from _IPV4.findall(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _ips(item)
    elif isinstance(value, list):
        for item in value:
            yield from _ips(item)


def redact_document(document: dict[str, Any], key: bytes) -> tuple[dict[str, Any], Redactor]:
    """The redacted copy of ``document`` and the redactor (its key and mapping).

    :raises UsageError: when the document is redacted already: its pseudonyms would be
        taken for names, and the new mapping would lead back to the old pseudonyms only.
    """
    if "redaction" in document:
        raise UsageError("the report is redacted already; redact the original JSON report")
    if any(item.get("kind") != "event" and "subject" not in item for item in _evidence(document)):
        raise UsageError(
            "the report was written by an older evtdiag whose evidence carries no subject: "
            "accounts named only in its evidence lines could not be found and would stay "
            "in clear; write the report again with this evtdiag (evtdiag report ... "
            "--format json) and redact that"
        )
    redactor = Redactor(key)
    order = {"dc": 0, "ip": 1, "host": 2, "domain": 3, "user": 4}
    names = sorted(set(collect_names(document)), key=lambda kn: (order[kn[0]], kn[1]))
    for kind, name in names:
        redactor.add(kind, name)
    for ip in sorted(set(_ips(document))):
        redactor.add("ip", ip)
    return redactor.apply(document), redactor


def mapping_document(redactor: Redactor) -> dict[str, Any]:
    """What the sender keeps: the key and every pseudonym's original name."""
    return {
        "format": MAPPING_FORMAT,
        "key": redactor.key.hex(),
        "key_id": key_id(redactor.key),
        "mapping": dict(sorted(redactor.originals.items())),
    }


def load_key(path: Path) -> bytes:
    """A key from a mapping file written earlier, or a file holding the key in hex.

    :raises UsageError: when the file cannot be read or holds no key.
    """
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise UsageError(f"cannot read the redaction key {path}: {error.strerror}") from error
    if text.startswith("{"):
        try:
            text = str(json.loads(text)["key"])
        except (ValueError, KeyError, TypeError) as error:
            raise UsageError(f"{path} is not an evtdiag redaction file (no 'key')") from error
    try:
        key = bytes.fromhex(text)
    except ValueError as error:
        raise UsageError(f"{path}: the key must be hexadecimal") from error
    if len(key) < 16:
        raise UsageError(f"{path}: the key is too short (at least 16 bytes)")
    return key


def load_mapping(path: Path) -> dict[str, str]:
    """Pseudonym -> original name, from a mapping file.

    :raises UsageError: when the file is not a redaction mapping.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        mapping = data["mapping"]
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from error
    except (ValueError, KeyError, TypeError) as error:
        raise UsageError(f"{path} is not an evtdiag redaction file (no 'mapping')") from error
    return {str(k): str(v) for k, v in mapping.items()}


def unredact(text: str, mapping: dict[str, str]) -> str:
    """``text`` with every pseudonym of ``mapping`` replaced by its original name.

    A pseudonym stands wherever redaction put one: where its name stood between
    characters that are not name characters, ``-`` included, as in a SYNC_USERS
    exclusion (``-user-7f3a``) or a file name (``dc-706f-Application.evtx``).
    """
    if not mapping:
        return text
    names = sorted(mapping, key=lambda n: (-len(n), n))
    alternatives = "|".join(re.escape(n) for n in names)
    pattern = re.compile(rf"(?<!{_NAME_CHAR})(?:{alternatives})(?!{_NAME_CHAR})", re.IGNORECASE)
    lookup = {k.casefold(): v for k, v in mapping.items()}
    return pattern.sub(lambda m: lookup[m.group().casefold()], text)


def names_in(document: dict[str, Any]) -> Iterable[tuple[str, str]]:
    """The (kind, name) pairs redaction would hide, for tests and ``--dry-run`` views."""
    return sorted(set(collect_names(document)))

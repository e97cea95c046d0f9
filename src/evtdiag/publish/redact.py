"""Redaction: replace user, host, DC and domain names, IP addresses and the names of the
customer's files and folders by pseudonyms, and nothing else.

A transformation of the JSON document, applied before any renderer, so the HTML, the
JSON and the text of one redacted report say exactly the same thing.

The names come from the document's structured fields (event users, hosts and DCs,
problem subjects, input computers, host configurations with their aliases and every
name their files hold, Windows group members, the account an evidence line is about:
its ``subject``, the names a configuration warning is about: its ``names``), never from
prose; an FQDN is split into its first label (a host or DC) and its domain. Each name
gets a stable pseudonym, ``user-7f3a``, ``host-2c91``, ``dc-…``, ``domain-…``, ``ip-…``:
the first hex digits of HMAC-SHA256(key, kind:name), so two reports redacted with the
same key use the same pseudonyms. A pseudonym takes the case pattern of the spelling it
replaces (``KSmith`` -> ``USer-7f3a``, ``ksmith`` -> ``user-7f3a``): where the finding is
that two spellings differ only in case, their pseudonyms differ the same way.

Then every string of the document (evidence lines, raw event XML, details, notes, the
command line) has every name replaced where it stands as a word, compared by case-fold
(:mod:`evtdiag.publish.name_matcher`: ``M.WEISS`` is ``m.weiß``), in time linear in the
text. The rule's own words (a cause's ``title``, ``explanation`` and ``remediation``) are
static text and never touched, and codes of the contract are left as they are. File
paths are redacted by their structure (:mod:`evtdiag.publish.redact_paths`): each part
that is not a file evtdiag names itself becomes ``file-…`` with its extension kept.

The key and the pseudonym-to-name mapping never go into the document: the caller
writes them to a local file (:func:`mapping_document`) so the sender can decode answers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, unescape

from evtdiag.errors import UsageError
from evtdiag.names import split_account, split_first_label, trim_host
from evtdiag.publish import redact_paths
from evtdiag.publish.name_matcher import Match, NameMatcher, fold
from evtdiag.publish.redact_paths import CommandPaths

KEY_BYTES = 32
MAPPING_FORMAT = "evtdiag-redaction/1"

# Values that are codes of the contract, or the rules' own static text, never names:
# left as they are ("The account is root or has uid 0" names no one).
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
        "title",
        "explanation",
        "remediation",
    }
)
_AUDIT_PROTECTED_KEYS = _PROTECTED_KEYS - {"explanation"}
"""An audit finding's explanation ends with what is specific to it (``10 account(s):
root, alice...``): its names are replaced, as in a cause's ``detail``."""
_PATH_KEYS = frozenset({"path", "file", "source"})
"""Keys whose values are file paths (inputs, skips, evidence, events, host configs)."""
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
# Built-in accounts whose names are not personal data and appear in the prose.
_BUILTIN_ACCOUNTS = frozenset({
    "administrator", "krbtgt", "guest", "default", "root",
    # Well-known groups that appear as (nested) members; naming them reveals nothing.
    "administrators", "domain admins", "enterprise admins", "schema admins", "domain users",
    "passwordpropallow", "passwordpropdeny",
})  # fmt: skip
_PATH_VALUE = "\x00path:"
"""Marks a path among the matcher's values (a folded name never begins with NUL)."""
_KINDS = ("dc", "ip", "host", "domain", "user", "file")
"""Pseudonym kinds; a name found under two kinds keeps the first of this order."""
PSEUDONYM = re.compile(rf"(?:{'|'.join(_KINDS)})-[0-9a-f]{{4,64}}(?:~[0-9]{{1,6}})?", re.I)
"""What redaction writes: a kind, a dash, hex digits (in any case: the case pattern of
the spelling replaced), and ``~N`` for a spelling whose case pattern another one took."""


@dataclass
class Redactor:
    """Pseudonyms for a set of names under one key."""

    key: bytes
    pseudonyms: dict[str, str] = field(default_factory=dict)
    """Folded name (:func:`~evtdiag.publish.name_matcher.fold`) -> pseudonym, lower case."""
    originals: dict[str, str] = field(default_factory=dict)
    """Pseudonym as written -> the spelling it replaced."""
    written: dict[str, str] = field(default_factory=dict)
    """Spelling -> its pseudonym as written (with the spelling's case pattern)."""
    kinds: dict[str, str] = field(default_factory=dict)
    """Folded name -> its kind (``file`` names are replaced in paths only)."""
    paths: set[str] = field(default_factory=set)
    """Paths of the document's path fields, found in its prose too (a folder named in
    a note), where a part alone is not: a folder ``hosts`` is no name in a sentence."""
    _matcher: NameMatcher[str] | None = field(default=None, repr=False)

    @classmethod
    def new_key(cls) -> bytes:
        return secrets.token_bytes(KEY_BYTES)

    def add(self, kind: str, name: str) -> None:
        """Give ``name`` a pseudonym of ``kind`` unless a spelling of it has one; record
        this spelling either way (its pseudonym takes its case pattern)."""
        name = name.strip()
        if not name:
            return
        folded = fold(name)
        if folded not in self.pseudonyms:
            digest = hmac.new(self.key, f"{kind}:{folded}".encode(), hashlib.sha256).hexdigest()
            taken = set(self.pseudonyms.values())
            for length in range(4, len(digest) + 1, 2):
                pseudonym = f"{kind}-{digest[:length]}"
                if pseudonym not in taken:
                    break
            self.pseudonyms[folded] = pseudonym
            self.kinds[folded] = kind
        self.pseudonym_of(name)
        self._matcher = None

    def pseudonym_of(self, spelling: str) -> str:
        """The pseudonym of ``spelling`` (a known name, as written): the name's pseudonym
        with the spelling's case pattern; a spelling whose pattern another one took
        already gets ``~2``, ``~3``... so two spellings never share a pseudonym. All in
        small letters or all in capitals is kept for the spellings written so (a long
        mixed spelling may have no capital among the letters the pseudonym has)."""
        known = self.written.get(spelling)
        if known is not None:
            return known
        base = self.pseudonyms[fold(spelling)]
        cased = with_case_of(base, spelling)
        mixed = spelling not in (spelling.lower(), spelling.upper())
        pseudonym, number = cased, 1
        while pseudonym in self.originals or (mixed and pseudonym in (base, base.upper())):
            number += 1
            pseudonym = f"{cased}~{number}"
        self.written[spelling] = pseudonym
        self.originals[pseudonym] = spelling
        return pseudonym

    def rekey_id(self, value: str) -> str:
        """A problem or finding id is a hash of its subject: re-hash it under the key,
        or a dictionary of likely names would reveal the subject."""
        prefix, _, _ = value.partition("-")
        digest = hmac.new(self.key, f"id:{value}".encode(), hashlib.sha256).hexdigest()
        return f"{prefix}-{digest[:10]}"

    @property
    def matcher(self) -> NameMatcher[str]:
        """Every known spelling, as written and as XML escapes it, -> its folded name."""
        if self._matcher is None:
            spellings: dict[str, str] = {}
            for spelling in sorted(self.written):
                if self.kinds[fold(spelling)] != "file":
                    for form in _spellings(spelling):
                        spellings.setdefault(form, fold(spelling))
            for path in sorted(self.paths):
                spellings.setdefault(path, _PATH_VALUE + path)
            self._matcher = NameMatcher(spellings)
        return self._matcher

    def add_path(self, path: str) -> None:
        """Give each part of ``path`` that may carry a name a pseudonym (``file`` unless
        the part is a name known already), and find the whole path in prose too."""
        for part in redact_paths.split_path(path):
            stem = redact_paths.part_stem(part)
            if stem is not None:
                self.add("file", stem[0])
        trimmed = path.rstrip("/\\")
        if redact_paths.split_path(trimmed)[1:]:
            self.paths.add(trimmed)
            self._matcher = None

    def redact_text(self, text: str) -> str:
        """``text`` with every known name standing as a word replaced by its pseudonym."""
        pieces: list[str] = []
        done = 0
        for match in self.matcher.find(text):
            pieces += (text[done : match.start], self._replacement(text, match))
            done = match.end
        named = "".join(pieces) + text[done:] if pieces else text
        return _IPV4.sub(lambda m: self.pseudonyms.get(m.group(), m.group()), named)

    def _replacement(self, text: str, match: Match[str]) -> str:
        """The pseudonym of the spelling found: as the text writes it (unescaped where
        XML escaped it) if that is a spelling known, else that spelling, recorded."""
        if match.value.startswith(_PATH_VALUE):
            return self.redact_path(text[match.start : match.end])
        found = text[match.start : match.end]
        if found not in self.written and fold(found) not in self.pseudonyms:
            found = unescape(found, {"&quot;": '"'})
        if found in self.written or fold(found) in self.pseudonyms:
            return self.pseudonym_of(found)
        return self.pseudonyms[match.value]  # a dotless i for an i, escaped

    def redact_path(self, path: str) -> str:
        """``path`` with each part that may carry a name replaced by its pseudonym (the
        extension kept): by the path's structure, the names in it included."""
        parts = []
        for part in redact_paths.split_path(path):
            stem = redact_paths.part_stem(part)
            if stem is None:
                parts.append(part)
            elif fold(stem[0]) in self.pseudonyms:
                parts.append(self.pseudonym_of(stem[0]) + stem[1])
            else:
                parts.append(self.redact_text(part))
        return "".join(parts)

    def apply(self, document: dict[str, Any], command_paths: Mapping[int, str]) -> dict[str, Any]:
        """A copy of ``document`` with every name replaced in every string;
        ``command_paths`` maps the index of each path of its command line to the path."""
        redacted_texts: dict[str, str] = {}  # the document repeats most of its strings
        redacted_paths: dict[str, str] = {}  # and of its paths (every event's source)

        def text(value: str) -> str:
            if value not in redacted_texts:
                redacted_texts[value] = self.redact_text(value)
            return redacted_texts[value]

        def path(value: str) -> str:
            if value not in redacted_paths:
                redacted_paths[value] = self.redact_path(value)
            return redacted_paths[value]

        def walk(value: Any, key: str | None, protected: frozenset[str]) -> Any:
            if isinstance(value, str) and key == "id":
                return self.rekey_id(value)
            if isinstance(value, str) and key in _PATH_KEYS:
                return path(value)
            if isinstance(value, str):
                return value if key in protected else text(value)
            if isinstance(value, dict):
                return {
                    k: walk(v, k, _AUDIT_PROTECTED_KEYS if k == "audit" else protected)
                    for k, v in value.items()
                }
            if isinstance(value, list):
                return [walk(v, key, protected) for v in value]
            return value

        redacted: dict[str, Any] = walk(document, None, _PROTECTED_KEYS)
        run = document.get("run")
        if isinstance(run, dict) and isinstance(run.get("command"), list):
            redacted["run"]["command"] = self._command(run["command"], command_paths)
        redacted["redaction"] = {
            "scheme": "hmac-sha256",
            "key_id": key_id(self.key),
            "names": len(self.pseudonyms),
        }
        return redacted

    def _command(self, command: list[Any], paths: Mapping[int, str]) -> list[Any]:
        """The command line with its names replaced, and its paths by their structure."""
        args = [self.redact_text(a) if isinstance(a, str) else a for a in command]
        for index, path in paths.items():
            args[index] = command[index][: -len(path)] + self.redact_path(path)
        return args


def with_case_of(pseudonym: str, spelling: str) -> str:
    """``pseudonym`` (lower case) with the case pattern of ``spelling``: as is for a
    spelling without capitals, in capitals for one without small letters, else letter by
    letter (``KSmith`` -> ``USer-7f3a``): spellings that differ only in case get
    pseudonyms that differ only in case."""
    cased = [c.isupper() for c in spelling if c.lower() != c.upper() or c.isupper()]
    if not any(cased):
        return pseudonym
    if all(cased):
        return pseudonym.upper()
    letters = iter(cased)
    return "".join(
        (c.upper() if next(letters, False) else c) if c.isalpha() else c for c in pseudonym
    )


def _spellings(name: str) -> tuple[str, ...]:
    """``name`` as written, and as the event XML in the document's strings escapes it
    in text and in attribute values: ``r&d_svc`` stands there as ``r&amp;d_svc``."""
    return tuple(dict.fromkeys((name, escape(name), escape(name, {'"': "&quot;"}))))


def _command_paths(command: Any, command_paths: CommandPaths) -> Iterator[tuple[int, str]]:
    """(index, path) of each path of a command line (``command_paths`` finds them); the
    path of ``--hosts=DIR`` is DIR."""
    if not isinstance(command, list) or not all(isinstance(a, str) for a in command):
        return
    for index in command_paths(command):
        arg = command[index]
        option, equals, value = arg.partition("=")
        path = value if equals and option.startswith("-") else arg
        if path:
            yield index, path


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
    attempts = _attempt_names(document)
    dcs = {*document.get("events", {}).get("dcs", []), *(dc for _, _, dc in attempts)}
    for problem in document.get("problems", []):
        dcs.add(problem.get("dc"))
        for ref in problem.get("events", []):
            dcs.add(ref.get("dc"))
    for coverage in document.get("inputs", []):
        dcs.update(coverage.get("computers", []))
    for dc in filter(None, dcs):
        yield from _machine("dc", dc)

    hosts = {host for _, host, _ in attempts}
    users = {user for user, _, _ in attempts}
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
    for kind, name in _configuration_names(document):
        if kind == "user":
            users.add(name)
        elif kind == "host":
            hosts.add(name)
        else:
            yield from _machine("dc", name)
    for host in filter(None, hosts):
        host = re.sub(r"\.tar\.gz$|\.tgz$", "", host)
        yield from _machine("host", host)
    for user in filter(None, users):
        name, domain = split_account(user)
        if name.casefold() not in _BUILTIN_ACCOUNTS:
            yield "user", name
        if domain:
            yield "domain", domain


def _attempt_names(document: dict[str, Any]) -> set[tuple[str, str, str]]:
    """The (account, host, DC) names of what the report keeps of its events: the
    matrix's accounts and hosts with their spellings, the timeline's hosts, each scope's
    identities and its last failure and success as logged."""
    found: set[tuple[str, str, str]] = set()
    matrix = document.get("matrix", {})
    for account in matrix.get("accounts", []):
        found.update((name, "", "") for name in (account["name"], *account["spellings"]))
    for row in matrix.get("rows", []):
        found.update(("", name, "") for name in (row["host"], *row["spellings"]))
    for lane in document.get("host_lanes", {}).get("lanes", []):
        found.add(("", lane["host"], ""))
    for row in document.get("attempts", {}).get("rows", []):
        found.add((row["account"], row["host"], row["dc"]))
        for last in (row["last_failure"], row["last_success"]):
            if last:
                found.add((last["user"], last["host"], last["dc"]))
    return found


def _configuration_names(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """The (kind, name) pairs the host configurations hold (passwd and shadow accounts,
    SYNC_USERS entries, SYNC_HOSTS DCs) and those each configuration warning is about:
    names that may stand in no event, yet stand in evidence lines and warnings."""
    for item in (*document.get("host_configs", []), *document.get("config_warnings", [])):
        names = item.get("names")
        for kind in ("user", "host", "dc"):
            for name in names.get(kind, []) if isinstance(names, dict) else []:
                if isinstance(name, str):
                    yield kind, name


def _strings(document: dict[str, Any]) -> set[tuple[str | None, str]]:
    """Every string of the document, with the key it stands under (a list's items under
    the list's key); walked with a stack, as deep as the document is."""
    found: set[tuple[str | None, str]] = set()
    stack: list[tuple[str | None, Any]] = [(None, document)]
    while stack:
        key, value = stack.pop()
        if isinstance(value, str):
            found.add((key, value))
        elif isinstance(value, dict):
            stack.extend(value.items())
        elif isinstance(value, list):
            stack.extend((key, item) for item in value)
    return found


def _refuse_older(document: dict[str, Any]) -> None:
    """Refuse a report written before its names were all data: the accounts only its
    evidence lines or warnings name, or only a configuration holds, would stay in clear.
    """
    older = any(i.get("kind") != "event" and "subject" not in i for i in _evidence(document))
    older = older or any(
        "names" not in item
        for item in (*document.get("host_configs", []), *document.get("config_warnings", []))
    )
    if older:
        raise UsageError(
            "the report was written by an older evtdiag whose evidence, warnings and host "
            "configurations do not carry their names as data: names only they hold could "
            "not be found and would stay in clear; write the report again with this evtdiag "
            "(evtdiag report ... --format json) and redact that"
        )


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


def redact_document(
    document: dict[str, Any], key: bytes, command_paths: CommandPaths
) -> tuple[dict[str, Any], Redactor]:
    """The redacted copy of ``document`` and the redactor (its key and mapping).

    ``command_paths`` tells which arguments of the recorded command line are paths
    (``command_paths`` of ``cli/paths.py``).

    :raises UsageError: when the document is redacted already: its pseudonyms would be
        taken for names, and the new mapping would lead back to the old pseudonyms only.
    """
    if "redaction" in document:
        raise UsageError("the report is redacted already; redact the original JSON report")
    _refuse_older(document)
    redactor = Redactor(key)
    names = sorted(set(collect_names(document)), key=lambda kn: (_KINDS.index(kn[0]), kn[1]))
    for kind, name in names:
        redactor.add(kind, name)
    strings = _strings(document)
    for ip in sorted({ip for _, text in strings for ip in _IPV4.findall(text)}):
        redactor.add("ip", ip)
    paths = {text for key, text in strings if key in _PATH_KEYS}
    in_command = dict(_command_paths(document.get("run", {}).get("command"), command_paths))
    paths.update(in_command.values())
    for path in sorted(paths):
        redactor.add_path(path)
    return redactor.apply(document, in_command), redactor


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


def names_in(document: dict[str, Any]) -> Iterable[tuple[str, str]]:
    """The (kind, name) pairs redaction would hide, for tests and ``--dry-run`` views."""
    return sorted(set(collect_names(document)))

"""sso.conf layouts that once carried a key or a comment out, or copied a huge line into
every problem (issue 26): continued lines, inline comments, a 65 KB SYNC_USERS line."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from evtdiag.hosts._text import EVIDENCE_CHARS, excerpt
from evtdiag.hosts.ssoconf import parse_sso_conf
from tests.hosts.scenario import reports, run, write_psync_log

KEYS = ("KEYoneSecret1", "KEYtwoSecret2", "KEYthreeSecret3=")
CONTINUED = (
    f"SYNC_HOSTS=(dc01 6677 {KEYS[0]}) \\\n(dc02 6677 {KEYS[1]})\n"
    f"ENCRYPT_KEY=\\\n{KEYS[2]}\nSYNC_USERS=-root ALL\n"
)


def _shown(text: str, encoding: str = "utf-8") -> str:
    conf = parse_sso_conf(text.encode(encoding), "web01/sso.conf")
    return (
        repr(conf) + "".join(str(w) for w in conf.warnings) + "".join(s.text for s in conf.settings)
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-8-sig"])
@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_continued_lines_are_joined(encoding: str, eol: str) -> None:
    conf = parse_sso_conf(CONTINUED.replace("\n", eol).encode(encoding), "web01/sso.conf")
    assert conf.warnings == ()
    assert [(h.host, h.port, h.key.length) for h in conf.sync_hosts] == [
        ("dc01", 6677, len(KEYS[0])),
        ("dc02", 6677, len(KEYS[1])),
    ]
    assert conf.encrypt_key.length == len(KEYS[2])
    assert [(s.key, s.place.line) for s in conf.settings] == [
        ("SYNC_HOSTS", 1),
        ("ENCRYPT_KEY", 3),
        ("SYNC_USERS", 5),
    ]
    shown = _shown(CONTINUED.replace("\n", eol), encoding)
    assert not any(key[:6] in shown for key in KEYS)


def test_continuation_ends_at_a_comment_a_skipped_line_and_the_end() -> None:
    text = "# a comment \\\nUSE_NIS=0\nSYNC_USERS=+a \\\n\x00junk\nPORT_NUMBER=1 \\"
    conf = parse_sso_conf(text.encode(), "f")
    assert {s.key: (s.value, s.place.line) for s in conf.settings} == {
        "USE_NIS": ("0", 2),
        "SYNC_USERS": ("+a", 3),
        "PORT_NUMBER": ("1", 5),
    }


def test_unknown_key_warning_never_names_a_continued_key(tmp_path: Path) -> None:
    web = tmp_path / "hosts" / "web01"
    web.mkdir(parents=True)
    (web / "sso.conf").write_text(CONTINUED)
    code, printed = run("check-config", "--hosts", str(tmp_path / "hosts"))
    assert code in (0, 1) and "unknown key" not in printed and "KEYthree" not in printed
    assert not any(key[:6] in printed for key in KEYS), printed


def test_inline_comment_is_never_quoted() -> None:
    conf = parse_sso_conf(b"CASE_IGNORE_NAME=0 # old key was Xq7secretOldKey\n", "f")
    assert conf.case_ignore_name is False
    assert conf.get("CASE_IGNORE_NAME").text == "CASE_IGNORE_NAME=0"
    assert "Xq7secret" not in _shown("CASE_IGNORE_NAME=0 # old key was Xq7secretOldKey\n")
    assert [w.place.line for w in conf.warnings] == [1]


def test_excerpt_cuts_between_names() -> None:
    text = "SYNC_USERS=" + " ".join(f"+user{i}" for i in range(5000)) + " -alice"
    head = excerpt(text)
    assert len(head) <= EVIDENCE_CHARS + 2 and head.endswith(" …")
    names = head.removesuffix(" …").split()
    assert names[-1] == f"+user{len(names) - 1}"  # the last name shown is whole
    tail = excerpt(text, text.index("-alice"))
    assert tail.startswith("… +user") and tail.endswith("-alice")
    assert excerpt("x" * 1000, 500) == "…"  # one long word: no part of it is shown
    assert excerpt("short") == "short"


def test_long_sync_users_line_is_quoted_in_part(tmp_path: Path) -> None:
    """The line that decides is quoted around the deciding entry, bounded, in each
    problem: the 65 KB line is not copied into each one."""
    users = tuple(f"u{i}" for i in range(40))
    web = tmp_path / "hosts" / "web01"
    web.mkdir(parents=True)
    listed = " ".join(f"+other{i:05}" for i in range(5300))
    (web / "sso.conf").write_text(f"SYNC_USERS={listed} " + " ".join(f"-{u}" for u in users) + "\n")
    assert len((web / "sso.conf").read_bytes()) > 63_000  # just under MAX_LINE
    (web / "passwd").write_text(
        "".join(f"{u}:x:{1000 + i}:100::/home/{u}:/bin/sh\n" for i, u in enumerate(users))
    )
    (web / "shadow").write_text("".join(f"{u}:<active/sha512>:19000:0:99999:7:::\n" for u in users))
    log = write_psync_log(tmp_path / "dc01.evtx", users, "web01")
    out = tmp_path / "out"
    out.mkdir()
    found = reports(log, tmp_path / "hosts", out)
    document = json.loads((out / "report.json").read_text())
    texts = [
        e["text"]
        for p in document["problems"]
        for e in p["evidence"]
        if (e["file"] or "").endswith("sso.conf")
    ]
    assert texts and all(len(t) <= EVIDENCE_CHARS + 20 for t in texts)
    assert all(t.startswith("SYNC_USERS=… ") for t in texts)
    assert any(t.endswith(" -u38 -u39") for t in texts)  # each around its own entry
    assert any(t.endswith(" -u34 …") for t in texts)
    assert all(len(text) < 300_000 for text in found.values())


@pytest.mark.parametrize(
    "line",
    [
        "SYNC_USERS=x" + " " * 64_000 + "y",
        "SYNC_HOSTS=(h 1 k" + " " * 64_000 + ")x",
    ],
)
def test_a_long_line_is_read_in_linear_time(line: str) -> None:
    """Patterns with a lazy value before ``\\s*$`` or ``\\s*\\)`` took quadratic time on
    a long run of spaces: about 43 s for this line of 64,000 (0.01 s now)."""
    started = time.perf_counter()
    parse_sso_conf(line.encode(), "f")
    assert time.perf_counter() - started < 1.0

"""Finding names in text for redaction: whole words compared by case-fold (``ß`` = ``ss``,
``İ`` = ``i``, ``ﬁ`` = ``fi``), the same as a plain search does, in work linear in the
text whatever the names (Reliability v3, items 1 and 8)."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evtdiag.cli.paths import command_paths
from evtdiag.publish.name_matcher import NAME_CHARACTER, NameMatcher, fold, replace, tokens
from evtdiag.publish.redact import redact_document

KEY = b"k" * 32
# Names as the report gives them: plain, dotted, multi-word, with $ and quotes, with
# letters whose case-fold changes length (ß, İ, ﬁ), and names that begin or end with
# what is not a name character, or with a character that folds into one (U+0345).
NAMES = ["DC01", "web01", "corp.example.com", "John Smith", "svc_backup", "WEB01$",
         "o'brien", "adm.jones", "10.0.4.11", "bill", "b\u0131ll", "strasse", "\u0130lker",
         "ilk", "a-b", "a-b-c", "x", "xy.z", "m.wei\u00df", "gro\u00df-srv", "\ufb01nance",
         "Smith (IT)", "corp.example.com.", "$dollar", "-dash", "\u0399ota",
         "omega\u0345"]  # fmt: skip
TOKENS = ["Ş", "ß", "SS", "\u0130", "\u0131", "\u0345", " ", ".", "-", "\\", "$", "_", "(",
          ")", "@", "'", "é", "user", "FI", "\ufb01", "EVENT", "Straße", "STRAẞE", "B\u0131LL",
          "M.WEISS", "GROSS-SRV", "FINANCE", "\u0345ota"]  # fmt: skip


def attempt_row(user: str, host: str, dc: str) -> dict:
    """A report's last attempts of one scope (``attempts.rows``), naming ``user``,
    ``host`` and ``dc`` as logged."""
    last = {"time": "2026-09-01T10:00:00Z", "user": user, "host": host, "dc": dc}
    return {"scope": "pair", "account": user.casefold(), "host": host, "dc": "",
            "failures": 1, "successes": 0, "last_failure": last, "first_success": None,
            "last_success": None}  # fmt: skip


def reference(names: dict[str, str], text: str) -> str:
    """The obvious way, quadratic: at each place a word may begin, left to right, the
    longest span that ends where a word may end and whose folded tokens are a name's."""
    keys = {tuple(map(fold, tokens(n))): v for n, v in reversed(names.items())}
    edge = re.compile(NAME_CHARACTER)
    out, done, start = [], 0, 0
    while start < len(text):
        found = None
        if start == 0 or not edge.match(text[start - 1]):
            for end in range(len(text), start, -1):
                if end < len(text) and edge.match(text[end]):
                    continue
                if tuple(map(fold, tokens(text[start:end]))) in keys:
                    found = end
                    break
        if found is None:
            start += 1
            continue
        out += (text[done:start], keys[tuple(map(fold, tokens(text[start:found])))])
        done = start = found
    return "".join(out) + text[done:]


def _texts(count: int) -> list[str]:
    """Texts mixing names in every case, glued to each other and to separators."""
    rng = random.Random(7)
    pieces = [*NAMES, *TOKENS, *(n[:-1] for n in NAMES if len(n) > 1)]
    cases = [str, str.upper, str.lower, str.title]

    def piece() -> str:
        return rng.choice(cases)(rng.choice(pieces)) + rng.choice(["", " "])

    return ["".join(piece() for _ in range(rng.randint(1, 10))) for _ in range(count)]


def _matcher(names: list[str]) -> tuple[dict[str, str], NameMatcher[str]]:
    values = {name: f"<{index}>" for index, name in enumerate(names)}
    return values, NameMatcher(values)


def test_the_matcher_finds_what_the_obvious_search_finds() -> None:
    values, matcher = _matcher(NAMES)
    texts = _texts(1500)
    replaced = [replace(t, matcher.find(t)) for t in texts]
    assert sum(r != t for r, t in zip(replaced, texts, strict=True)) > 900  # names found
    assert replaced == [reference(values, t) for t in texts]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=6),
    st.lists(st.integers(0, 40), max_size=12),
    st.text(max_size=8),
)
def test_the_matcher_agrees_with_the_obvious_search_on_any_text(names, picks, glue) -> None:
    names = [n for n in names if n.strip()] or ["x"]
    pieces = [*names, *(n.upper() for n in names), *(n.casefold() for n in names), *TOKENS]
    text = glue.join(pieces[p % len(pieces)] for p in picks)
    values, matcher = _matcher(names)
    assert replace(text, matcher.find(text)) == reference(values, text)


@pytest.mark.parametrize(
    ("name", "written"),
    [("m.wei\u00df", "M.WEISS"), ("m.wei\u00df", "m.weiss"), ("\u0130lker", "ilker"),
     ("\u0130lker", "\u0130LKER"), ("ilker", "\u0130lker"), ("gro\u00df-srv", "GROSS-SRV"),
     ("\ufb01nance", "FINANCE"), ("finance", "\ufb01nance"), ("stra\u00dfe", "STRASSE")],
)  # fmt: skip
def test_names_whose_fold_changes_length_are_found(name: str, written: str) -> None:
    _, matcher = _matcher([name])
    text = f"user {written} on ({written}), not x{written}"
    assert replace(text, matcher.find(text)) == "user <0> on (<0>), not x" + written


def test_folding_never_moves_where_a_run_begins_or_ends() -> None:
    """Over every code point: a name character folds to name characters only, another
    character to none; so folded tokens are the tokens of the folded text."""
    name_character = re.compile(NAME_CHARACTER)
    moved = []
    for code in range(0x110000):
        character = chr(code)
        is_name = name_character.match(character) is not None
        folded = [name_character.match(c) is not None for c in fold(character)]
        if folded != [is_name] * len(folded):
            moved.append(f"U+{code:04X}")
    assert moved == []


def _steps(names: list[str], text: str) -> int:
    matcher = NameMatcher({name: name for name in names})
    matcher.find(text)
    return matcher.steps


@pytest.mark.parametrize(
    "case",
    ["a name as long as the text", "nested names", "names that almost match"],
)
def test_doubling_the_text_at_most_doubles_the_work(case: str) -> None:
    """Counted automaton steps, not time: the search before this scanned every word end
    within the longest name's reach from each word start (25 KB: 6.5 s, 97 KB: 106 s)."""

    def text(words: int) -> str:
        return " ".join(["a"] * words) if case != "names that almost match" else "ab a" * words

    def names(words: int) -> list[str]:
        if case == "a name as long as the text":
            return [" ".join(["a"] * words) + " b", "a"]
        if case == "nested names":
            return [" ".join(["a"] * k) + " b" for k in range(1, 60)] + ["a a"]
        return ["ab a" * k + "b" for k in range(1, 60)]

    small, large = _steps(names(6000), text(6000)), _steps(names(12000), text(12000))
    assert small > 6000 and large <= 2.2 * small, (small, large)


def test_work_per_text_does_not_grow_with_the_number_of_names() -> None:
    text = " ".join(["user0001 logged on to host007 via DC01:", *_texts(200)])
    few = _steps(["DC01", *(f"user{i:04d}" for i in range(10))], text)
    many = _steps(["DC01", *(f"user{i:04d}" for i in range(9000))], text)
    assert few > 1000 and many <= few + 10, (few, many)


def test_redaction_compiles_no_pattern_of_the_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """A regex alternating the names costs every name at every position of every string."""
    compiled: list[str] = []
    compile_pattern = re._compile  # type: ignore[attr-defined]

    def recording_compile(pattern, flags):
        compiled.append(pattern if isinstance(pattern, str) else pattern.pattern)
        return compile_pattern(pattern, flags)

    users = [f"user{i:04d}" for i in range(3000)]
    document = {
        "attempts": {"rows": [attempt_row(u, f"h{i % 50}", "DC01") for i, u in enumerate(users)]},
        "note": " ".join(users),
    }
    # re._compile is what re.compile, re.sub, re.search... all go through (cache included)
    monkeypatch.setattr(re, "_compile", recording_compile)
    redacted, redactor = redact_document(document, KEY, command_paths)
    assert compiled and max(map(len, compiled)) < 200
    assert set(redacted["note"].split()) == {redactor.pseudonyms[u] for u in users}

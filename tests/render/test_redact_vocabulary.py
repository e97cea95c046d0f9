"""Finding names in text for redaction: same result as one regex of every name, at a
cost that does not grow with the number of names."""

from __future__ import annotations

import random
import re

import pytest

from evtdiag.render import redact
from evtdiag.render.redact import Redactor, Vocabulary, redact_document

KEY = b"k" * 32
# Names as the report gives them: plain, dotted, multi-word, with $ and quotes, with a
# dotless or dotted i (U+0131, U+0130), and names that only differ in those.
REGULAR = ["DC01", "web01", "corp.example.com", "John Smith", "svc_backup", "WEB01$",
           "o'brien", "adm.jones", "10.0.4.11", "bill", "b\u0131ll", "strasse", "\u0130lker",
           "ilk", "a-b", "a-b-c", "x", "xy.z"]  # fmt: skip
# Names that may begin or end where a name character does not stand: with the Greek iota
# (the casefold of U+0345, not a name character), or with what is not a name character.
IOTA = ["\u0399ota", "omega\u03b9"]
ODD = ["Smith (IT)", "corp.example.com.", "$dollar", "-dash"]
# Pieces of text around them, and spellings equal to a name in some ways but not others.
TOKENS = ["Ş", "ß", "\u0130", "\u0131", "\u0345", " ", ".", "-", "\\", "$", "_", "(", ")",
          "@", "'", "é", "user", "host", "EVENT", "Straße", "STRAẞE", "B\u0131LL", "b\u0130ll",
          "\u0345ota", "omega\u0345"]  # fmt: skip


def _pseudonyms(names: list[str]) -> dict[str, str]:
    redactor = Redactor(KEY)
    for index, name in enumerate(names):
        redactor.add("user" if index % 2 else "host", name)
    return redactor.pseudonyms


def _vocabulary(extra: list[str], count: int) -> list[str]:
    """``extra`` and ``count`` synthetic names sharing prefixes, as thousands of users do."""
    return extra + [f"user{i:04d}" for i in range(count)] + [f"host{i:03d}" for i in range(count)]


def _regex_replace(pseudonyms: dict[str, str], texts: list[str]) -> list[str | None]:
    """The straightforward way, which :class:`Vocabulary` replaced: one alternation of
    every name, longest first (None where it fails on a name it matched but cannot map)."""
    names = sorted(pseudonyms, key=lambda n: (-len(n), n))
    alternatives = "|".join(map(re.escape, names))
    pattern = re.compile(rf"(?<![\w$])(?:{alternatives})(?![\w$])", re.IGNORECASE)
    replaced: list[str | None] = []
    for text in texts:
        try:
            replaced.append(pattern.sub(lambda m: pseudonyms[m.group().casefold()], text))
        except KeyError:
            replaced.append(None)
    return replaced


def _texts(names: list[str], count: int) -> list[str]:
    """Texts mixing names in every case, glued to each other and to separators."""
    rng = random.Random(7)
    pieces = [*names, *TOKENS, *(n[:-1] for n in names if len(n) > 1)]
    cases = [str, str.upper, str.lower, str.title]

    def piece() -> str:
        return rng.choice(cases)(rng.choice(pieces)) + rng.choice(["", " "])

    return ["".join(piece() for _ in range(rng.randint(1, 12))) for _ in range(count)]


@pytest.mark.parametrize(
    "edged", [[], IOTA, ODD + IOTA], ids=["regular-names", "iota-edged", "odd-edged"]
)
def test_vocabulary_replaces_as_one_regex_of_every_name(edged: list[str]) -> None:
    names = _vocabulary(REGULAR + edged, 1500)
    pseudonyms = _pseudonyms(names)
    texts = _texts(REGULAR + edged + names[-40:], 3000)
    vocabulary = Vocabulary(pseudonyms)
    expected = _regex_replace(pseudonyms, texts)
    compared = [(t, e) for t, e in zip(texts, expected, strict=True) if e is not None]
    assert len(compared) > 2000
    assert sum(t != e for t, e in compared) > 2000  # the texts hold names
    assert [vocabulary.replace(t) for t, _ in compared] == [e for _, e in compared]


def test_a_name_spelt_with_a_dotless_i_is_still_replaced() -> None:
    """Where the single regex matched a name it could not map (and failed), the name is
    replaced by the pseudonym of the name it equals."""
    pseudonyms = _pseudonyms(["bill", "DC01"])
    text = "B\u0131LL and b\u0130ll on DC01"
    assert _regex_replace(pseudonyms, [text]) == [None]
    assert Vocabulary(pseudonyms).replace(text) == (
        f"{pseudonyms['bill']} and {pseudonyms['bill']} on {pseudonyms['dc01']}"
    )


def _folds(names: list[str], text: str) -> int:
    """How many spans of ``text`` a vocabulary of ``names`` compares with its names."""
    calls = 0
    fold = redact._fold

    def counting_fold(value: str) -> str:
        nonlocal calls
        calls += 1
        return fold(value)

    vocabulary = Vocabulary(_pseudonyms(names))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(redact, "_fold", counting_fold)
        vocabulary.replace(text)
    return calls


def test_work_per_text_does_not_grow_with_the_number_of_names() -> None:
    text = " ".join(["user0001 logged on to host007 via DC01:", *_texts(REGULAR, 200)])
    few = _folds(_vocabulary(["DC01"], 10), text)
    many = _folds(_vocabulary(["DC01"], 9000), text)
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
        "events": {
            "items": [{"user": u, "host": f"h{i % 50}", "dc": "DC01"} for i, u in enumerate(users)]
        },
        "note": " ".join(users),
    }
    # re._compile is what re.compile, re.sub, re.search... all go through (cache included)
    monkeypatch.setattr(re, "_compile", recording_compile)
    redacted, redactor = redact_document(document, KEY)
    assert compiled and max(map(len, compiled)) < 200
    assert set(redacted["note"].split()) == {redactor.pseudonyms[u] for u in users}

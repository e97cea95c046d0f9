"""Redaction replaces names and nothing else, and keeps what case says: the rule's own
text stays, and spellings that differ only in case get pseudonyms that differ only in
case (issue 25, item 6)."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from evtdiag.cli import cli
from evtdiag.cli.paths import command_paths
from evtdiag.publish.name_matcher import fold
from evtdiag.publish.redact import Redactor, redact_document
from tests.conftest import SAMPLE_REPORT_ARGS

KEY = b"k" * 32


@pytest.fixture(scope="module")
def sample() -> dict:
    args = ["report", *SAMPLE_REPORT_ARGS, "-q", "--format", "json", "-o", "-"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)


def test_the_rules_own_text_is_never_rewritten(sample: dict) -> None:
    """"The account is root or has uid 0" became "The account is user-28bc or has uid 0"."""
    redacted, _ = redact_document(sample, KEY, command_paths)
    titles = [t for p in redacted["problems"] for t in (p["title"], *_cause_titles(p))]
    assert "The account is root or has uid 0" in titles
    for before, after in zip(sample["problems"], redacted["problems"], strict=True):
        for key in ("title", "explanation", "remediation"):
            assert after[key] == before[key]
        for cause, redacted_cause in zip(before["causes"], after["causes"], strict=True):
            for key in ("title", "explanation", "remediation"):  # the first: its code only
                assert redacted_cause.get(key) == cause.get(key)
    for before, after in zip(sample["audit"], redacted["audit"], strict=True):
        assert (after["title"], after["remediation"]) == (before["title"], before["remediation"])
        rule_text = before["explanation"].split(". ")[0]  # the rule's first sentence
        assert after["explanation"].startswith(rule_text)


def test_the_name_case_finding_still_shows_two_spellings(sample: dict) -> None:
    """"Windows sends 'user-0e2f', the UNIX account is 'user-0e2f'" said nothing."""
    (problem,) = [p for p in sample["problems"] if p["cause"] == "name-case-mismatch"]
    said = re.compile(r"Windows sends '(.+)', the UNIX account is '(.+)'\.")
    sent, account = said.fullmatch(problem["detail"]).groups()
    assert sent != account and sent.casefold() == account.casefold()
    redacted, _ = redact_document(sample, KEY, command_paths)
    (problem,) = [p for p in redacted["problems"] if p["cause"] == "name-case-mismatch"]
    sent_pseudonym, account_pseudonym = said.fullmatch(problem["detail"]).groups()
    assert sent not in problem["detail"] and account not in problem["detail"]
    assert sent_pseudonym != account_pseudonym
    assert sent_pseudonym.casefold() == account_pseudonym.casefold()


@pytest.mark.parametrize(
    "spellings",
    [("KSmith", "ksmith", "KSMITH", "kSmith"), ("abcdefghiJ", "abcdefghij", "abcdefghIj"),
     ("m.weiß", "M.WEISS", "M.Weiss"), ("İlker", "ilker", "ILKER")],
)  # fmt: skip
def test_each_spelling_gets_its_own_pseudonym_differing_only_in_case(spellings) -> None:
    redactor = Redactor(KEY)
    for spelling in spellings:
        redactor.add("user", spelling)
    pseudonyms = [redactor.pseudonym_of(s) for s in spellings]
    assert len(set(pseudonyms)) == len(spellings)
    assert len({p.casefold().partition("~")[0] for p in pseudonyms}) == 1
    base = redactor.pseudonyms[fold(spellings[0])]
    for spelling, pseudonym in zip(spellings, pseudonyms, strict=True):
        if spelling == spelling.lower():
            assert pseudonym == base  # in small letters: as it is
        elif spelling == spelling.upper():
            assert pseudonym == base.upper()
    assert [redactor.originals[p] for p in pseudonyms] == list(spellings)


def _cause_titles(problem: dict) -> list[str]:
    """The titles of a problem's other causes (the first is the problem's own)."""
    return [cause["title"] for cause in problem["causes"][1:]]

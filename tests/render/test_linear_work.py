"""The text report does work linear in the length of the names it wraps: a name of
megabytes is cut in its middle, not broken line by line by :mod:`textwrap` (which copies
what is left of a long word for every line). Work counted, not timed: see
:mod:`tests.support.work`."""

from __future__ import annotations

from dataclasses import replace

from evtdiag.diagnose import diagnose
from evtdiag.render.json_report import report_document
from evtdiag.render.text_report import LONG_WORD, WIDTH, render_text, wrap
from evtdiag.render.timefmt import TimeFormatter
from tests.diagnose.test_linear_work import refusals
from tests.support.work import LINEAR, doubling_ratio, work


def document_naming(account: str) -> dict:
    """The report on one refusal for PasswordPropDeny (12289) of ``account``, a name that
    looks like a service account's: the cause's detail quotes it in a sentence."""
    events = [replace(event, user=account) for event in refusals(1, 12289)]
    return report_document(diagnose(events, [], None, None, [12291]))


def test_doubling_a_name_at_most_doubles_the_text_reports_work() -> None:
    def work_at(length: int) -> int:
        return work(render_text, document_naming("svc_" + "a" * length), TimeFormatter("UTC"))

    assert doubling_ratio(work_at, 200_000) <= LINEAR


def test_a_long_name_is_cut_in_its_middle_and_the_sentence_kept() -> None:
    name = "svc_" + "x" * 5_000 + "_end"
    lines = wrap(f"{name} is named like a service account.", "    ")
    assert all(len(line) <= WIDTH and line.startswith("    ") for line in lines)
    shown = "".join(lines).replace(" ", "")
    assert shown.startswith("svc_xxx") and shown.endswith("xx_endisnamedlikeaserviceaccount.")
    assert "…" in shown and shown.count("x") == LONG_WORD - 1 - len("svc__end")

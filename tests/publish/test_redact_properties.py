"""No name survives redaction, whatever letters it is written in: names drawn from all of
Unicode's letters (those whose case-fold changes length among them: ß, İ, ﬁ, ŉ, ǰ) go
through ``report --redact`` and are looked for in every output, JSON, HTML and text, and
on the terminal (Reliability v3, items 1 and 2)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from evtdiag.publish.name_matcher import NAME_CHARACTER, fold
from tests.hosts.scenario import REPORT_FORMATS, run, write_psync_log

LETTERS = st.characters(categories=("Lu", "Ll", "Lt", "Lm", "Lo"))
FOLD_CHANGES_LENGTH = "ßİﬁﬂŉǰΐΰẞ"
"""Letters whose case-fold is longer than they are: the matcher must map back."""
NAMES = st.one_of(
    st.text(LETTERS, min_size=3, max_size=8),
    st.tuples(
        st.text(LETTERS, min_size=1, max_size=4),
        st.sampled_from(FOLD_CHANGES_LENGTH),
        st.text(LETTERS, min_size=1, max_size=4),
    ).map("".join),
)


def _is_no_word_of_ours(name: str) -> bool:
    """A name whose fold is all ASCII could be a word of the report's own (``file``)."""
    folded = fold(name)
    return not folded.isascii() and name == name.strip() and len(set(folded)) > 1


def _left(name: str, text: str) -> bool:
    """Whether ``name`` stands in ``text``, as written or in any case."""
    pattern = rf"(?<!{NAME_CHARACTER}){re.escape(fold(name))}(?!{NAME_CHARACTER})"
    return name in text or re.search(pattern, fold(text)) is not None


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(st.lists(NAMES, min_size=5, max_size=5, unique_by=fold))
@example(["m.weiß", "İlker", "ﬁnanz-ü", "groß-srv", "acmé"])
@example(["AAµ", "ABª", "AªA", "AAǰ", "AAª"])  # the host's identity, folded, kept its ǰ
def test_no_name_survives_in_any_output(names: list[str]) -> None:
    assume(all(map(_is_no_word_of_ours, names)))
    sent, cased, configured, host, label = names
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        log = write_psync_log(root / f"{label}-DC01.evtx", (sent, cased.swapcase()), host)
        (root / "hosts" / host).mkdir(parents=True)
        (root / "hosts" / host / "sso.conf").write_text(
            f"SYNC_USERS=+{sent} +{configured} -{cased}\n", encoding="utf-8"
        )
        (root / "hosts" / host / "passwd").write_text(
            f"{cased}:x:1000:1000::/home/c:/bin/sh\n", encoding="utf-8"
        )
        for fmt in REPORT_FORMATS:
            target = root / f"report.{fmt}"
            code, printed = run("report", str(log), "--hosts", str(root / "hosts"),
                                "--format", fmt, "-o", str(target), "--redact")  # fmt: skip
            assert code == 1, printed
            shown = target.read_text(encoding="utf-8") + printed
            assert "user-" in shown.casefold()
            left = [n for n in (*names, cased.swapcase()) if _left(n, shown)]
            assert left == [], (fmt, left)

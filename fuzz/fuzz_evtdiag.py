"""Coverage-guided fuzzing of one evtdiag target with atheris (longer runs than CI's).

The targets, and their seeds in ``fuzz/corpus/<target>/``, are those the test run
fuzzes for a bounded time (tests/support/fuzz_targets.py, tests/test_fuzz.py). Run from the
repository root (atheris needs a CPython it supports; 3.11 works), giving a scratch
folder first so that libFuzzer writes its new inputs there, not into the committed
seeds::

    pip install atheris
    mkdir -p /tmp/fuzz-shadow
    PYTHONPATH=src:. python fuzz/fuzz_evtdiag.py shadow -max_total_time=600 -timeout=10 \\
        -artifact_prefix=fuzz/ /tmp/fuzz-shadow fuzz/corpus/shadow

Targets: evtx, xml, csv, json, wevtutil-text, clixml, archive (a log input through
format detection, every reader, extraction and every renderer) and sso.conf, passwd,
shadow, security-passwd, security-user, login.defs, pwquality.conf, group, net-accounts
(the bytes as every configuration file, and check-config's text), and collector (the
bytes as a host's sso.conf through the collect script: no key may leave). Any exception
that escapes is a bug: a log reader may only report an input as ``refused`` or
``skipped``, a configuration parser only warn. ``-timeout`` turns a hang into a finding.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["evtdiag"]):
    from tests.support.fuzz_targets import TARGETS


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: {sys.argv[0]} TARGET [options] CORPUS...; targets: {', '.join(TARGETS)}")
    target = TARGETS[sys.argv.pop(1)]
    folder = Path(tempfile.mkdtemp(prefix="evtdiag-fuzz-"))
    atheris.Setup(sys.argv, lambda data: target(data, folder))
    atheris.Fuzz()


if __name__ == "__main__":
    main()

"""Coverage-guided fuzzing of evtdiag's readers and parsers with atheris (longer runs).

Run from the repository root (atheris needs a CPython it supports; 3.11 works)::

    pip install atheris
    PYTHONPATH=src:. python fuzz/fuzz_evtdiag.py -max_total_time=600 -timeout=10 \\
        -artifact_prefix=fuzz/ fuzz/corpus

The first input byte picks the target (even: a log input through format detection,
every reader, extraction and every renderer; odd: every configuration parser), the
rest is the file. ``fuzz/corpus`` is seeded with one realistic sample per format on
the first run; ``-timeout`` turns a hang into a finding. Any exception that escapes
is a bug: a log reader may only report an input as ``refused`` or ``skipped``, and a
configuration parser only warn.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["evtdiag"]):
    from tests.fuzz_targets import (
        CONFIG_SEEDS,
        LOG_SEEDS,
        parse_config_bytes,
        read_log_bytes,
        seeds,
        temp_folder,
    )

FOLDER = temp_folder()


def seed_corpus(folder: Path) -> None:
    """Write the seeds (with their target byte) into an empty corpus folder."""
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        return
    for kind in LOG_SEEDS:
        (folder / f"seed-{kind}").write_bytes(b"\x00" + seeds()[kind])
    for kind in CONFIG_SEEDS:
        (folder / f"seed-{kind}").write_bytes(b"\x01" + seeds()[kind])


def one_input(data: bytes) -> None:
    if not data:
        return
    if data[0] & 1:
        parse_config_bytes(data[1:])
    else:
        read_log_bytes(data[1:], FOLDER, carve=bool(data[0] & 2))


def main() -> None:
    corpus = [arg for arg in sys.argv[1:] if not arg.startswith("-")]
    for folder in corpus:
        seed_corpus(Path(folder))
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

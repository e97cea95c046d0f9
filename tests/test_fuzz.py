"""Bounded mutation fuzzing on every CI run (a few seconds per target).

Seeds are realistic samples of every input format (tests/fuzz_targets.py); hypothesis
flips, overwrites, inserts and truncates bytes. Longer runs: fuzz/fuzz_evtdiag.py
(atheris), see README.md.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz_targets import (
    CONFIG_SEEDS,
    LOG_SEEDS,
    parse_config_bytes,
    read_log_bytes,
    seeds,
    temp_folder,
)

BUDGET = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    """The seed with a few bytes changed, a run overwritten or inserted, maybe cut short."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(0, 8))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    if data and draw(st.booleans()):
        at = draw(st.integers(0, len(data) - 1))
        run = draw(st.binary(min_size=1, max_size=64))
        if draw(st.booleans()):
            data[at : at + len(run)] = run
        else:
            data[at:at] = run
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


@pytest.fixture(scope="module")
def folder():
    return temp_folder()


@pytest.mark.parametrize("kind", LOG_SEEDS)
def test_log_readers_survive_mutations(kind: str, folder) -> None:
    @BUDGET
    @given(data=mutated(seeds()[kind]), carve=st.booleans())
    def run(data: bytes, carve: bool) -> None:
        read_log_bytes(data, folder, carve)

    run()


@pytest.mark.parametrize("kind", CONFIG_SEEDS)
def test_config_parsers_survive_mutations(kind: str) -> None:
    @BUDGET
    @given(data=mutated(seeds()[kind]))
    def run(data: bytes) -> None:
        parse_config_bytes(data)

    run()


@BUDGET
@given(data=st.binary(max_size=2048))
def test_random_bytes_everywhere(data: bytes) -> None:
    parse_config_bytes(data)
    read_log_bytes(data, _FOLDER)


_FOLDER = temp_folder()

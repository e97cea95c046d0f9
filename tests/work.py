"""Counting the work a call does, for the tests that double one input dimension and
check the work at most (about) doubles: counted, not timed, so a loaded machine
cannot make them flaky, and a quadratic loop shows at any size."""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Callable
from typing import Any

LINEAR = 2.2
"""Doubling an input may multiply the work by this much at most (a quadratic step
gives 4, an n log n one a little over 2)."""


def calls(function: Callable[..., Any], *args: Any) -> int:
    """The Python and built-in function calls ``function(*args)`` makes (primitive calls,
    from the profiler): every loop of the diagnosis calls something per step."""
    profile = cProfile.Profile()
    profile.runcall(function, *args)
    return sum(stat[1] for stat in pstats.Stats(profile).stats.values())


def doubling_ratio(work: Callable[[int], int], n: int) -> float:
    """``work(2 * n) / work(n)``: what doubling the input does to the work."""
    return work(2 * n) / work(n)

"""The benchmark's dense log (``bench/build.py``, ``psync_event``: PSync failures only,
thousands of accounts and hundreds of hosts, thousands of problems) at a size a test can
afford, so that tests of the outputs' size run on what the benchmark measures."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from tests.conftest import REPO
from tests.support.evtx_writer import write_evtx


def bench_build() -> ModuleType:
    """``bench/build.py`` as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_build", REPO / "bench" / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def write_dense_log(path: Path, count: int) -> Path:
    """The first ``count`` events of the benchmark's dense log, written to ``path``."""
    build = bench_build()
    path.write_bytes(write_evtx((build.psync_event(i) for i in range(count)), templated=True))
    return path

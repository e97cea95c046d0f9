"""Stage 1: read event logs into :class:`~evtdiag.model.EventRecord` values.

One door: :func:`discover` finds the inputs, :func:`read_files` opens each once
(:mod:`.sources`), asks the format registry (:mod:`.formats`) to read it, in worker
processes when there are several cores (:mod:`.pool`), and drops duplicates. The
formats: .evtx (:mod:`.evtx`), XML and CSV exports (:mod:`.exports`), and archives of
them (:mod:`evtdiag.archives`).
"""

import logging

from evtdiag.logs.inputs import LogReadResult, discover, read_files
from evtdiag.logs.providers import DEFAULT_PROVIDERS, ProviderMatcher
from evtdiag.logs.sources import ProgressCallback, ReadOptions

__all__ = [
    "DEFAULT_PROVIDERS",
    "LogReadResult",
    "ProgressCallback",
    "ProviderMatcher",
    "ReadOptions",
    "discover",
    "read_files",
]

# python-evtx (the fallback decoder) logs a warning for every record it cannot parse,
# which Python would print on stderr; such records are reported in the coverage already.
logging.getLogger("Evtx").addHandler(logging.NullHandler())

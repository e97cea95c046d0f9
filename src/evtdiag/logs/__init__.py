"""Stage 1: read event logs into :class:`~evtdiag.model.EventRecord` values.

One module per input format; :func:`read_logs` recognises formats by content.
"""

import logging

from evtdiag.logs.inputs import LogReadResult, ProgressCallback, discover, read_logs
from evtdiag.logs.providers import DEFAULT_PROVIDERS, ProviderMatcher

__all__ = [
    "DEFAULT_PROVIDERS",
    "LogReadResult",
    "ProgressCallback",
    "ProviderMatcher",
    "discover",
    "read_logs",
]

# python-evtx (the fallback decoder) logs a warning for every record it cannot parse,
# which Python would print on stderr; such records are reported in the coverage already.
logging.getLogger("Evtx").addHandler(logging.NullHandler())

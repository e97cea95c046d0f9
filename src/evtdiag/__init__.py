"""evtdiag: diagnose Windows-to-UNIX password synchronization (IDMU PSync) failures.

The pipeline is ``read logs -> extract PSync events -> load host configs -> diagnose
-> render``; each stage is one module or small package with frozen dataclasses
(:mod:`evtdiag.model`) at its boundary.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("evtdiag")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__"]

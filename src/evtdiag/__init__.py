"""evtdiag: diagnose Windows-to-UNIX password synchronization (IDMU PSync) failures.

The pipeline is ``read logs -> extract PSync events -> load host configs -> diagnose
-> render``; each stage is one module or small package with frozen dataclasses
(:mod:`evtdiag.model`) at its boundary.
"""

__version__ = "0.1.0"
"""The one place the version is written: pyproject.toml reads it from here when the package
is built. A constant rather than a look-up in the installed metadata, which cost some 30 ms
of the 0.27 s that ``evtdiag --version`` took."""

__all__ = ["__version__"]

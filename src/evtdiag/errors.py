"""The error hierarchy and the exit-code contract.

Only :mod:`evtdiag.cli` turns an error into a message and an exit; every stage below
it raises one of these, each carrying the exit code it stands for (as click's
exceptions do), so the mapping from failure to exit code lives in one place.
"""

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes (a contract relied on by scripts; see DESIGN.md)."""

    OK = 0
    PROBLEMS_FOUND = 1
    USAGE = 2
    NO_USABLE_INPUT = 3


class EvtdiagError(Exception):
    """Base class of every error evtdiag raises on purpose."""

    exit_code: ExitCode = ExitCode.PROBLEMS_FOUND


class UsageError(EvtdiagError):
    """The command line names something that cannot be used (a missing path, a bad value)."""

    exit_code = ExitCode.USAGE


class NoUsableInput(EvtdiagError):
    """Nothing readable was found among the inputs."""

    exit_code = ExitCode.NO_USABLE_INPUT


class InputFormatError(EvtdiagError):
    """One input cannot be read at all; the others go on.

    The message says which file, where in it, and what to do.
    """

    exit_code = ExitCode.NO_USABLE_INPUT

"""The error hierarchy and the exit-code contract.

Only the command line (``cli/``) turns an error into a message and an exit; every stage below
it raises one of these, each carrying the exit code it stands for (as click's
exceptions do), so the mapping from failure to exit code lives in one place.
"""

import signal
from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes (a contract relied on by scripts; see docs/contract.md, Exit codes).

    A failure of evtdiag itself never exits 1, which scripts read as "problems found".
    A run ended by a signal exits as a shell reports a process the signal killed:
    128 + its number.
    """

    OK = 0
    PROBLEMS_FOUND = 1
    USAGE = 2
    NO_USABLE_INPUT = 3
    FAILED = 4
    """evtdiag itself failed: an internal error (its traceback is saved), or an output
    could not be written in full."""
    HANGUP = 128 + 1
    """SIGHUP: the terminal was closed."""
    INTERRUPTED = 128 + 2
    """Ctrl-C (SIGINT)."""
    BROKEN_PIPE = 128 + 13
    """The reader of standard output went away (``| head``): quietly, as ``cat`` does."""
    TERMINATED = 128 + 15
    """SIGTERM (``kill``, a service stopping, ``timeout``)."""


class EvtdiagError(Exception):
    """Base class of every error evtdiag raises on purpose."""

    exit_code: ExitCode = ExitCode.PROBLEMS_FOUND


class UsageError(EvtdiagError):
    """The command line names something that cannot be used (a missing path, a bad value)."""

    exit_code = ExitCode.USAGE


class NoUsableInput(EvtdiagError):
    """Nothing readable was found among the inputs."""

    exit_code = ExitCode.NO_USABLE_INPUT


class OutputError(EvtdiagError):
    """An output could not be written in full (a full disk, ``ulimit -f``...)."""

    exit_code = ExitCode.FAILED


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the program is when it arrives, as Ctrl-C raises
    :class:`KeyboardInterrupt`: the same cleanups run (no temporary file is left), and
    whatever handles Ctrl-C handles these too."""

    def __init__(self, signum: int) -> None:
        self.signal_name = signal.Signals(signum).name
        self.exit_code = ExitCode(128 + signum)
        super().__init__(self.signal_name)


class InputFormatError(EvtdiagError):
    """One input cannot be read at all; the others go on.

    The message says which file, where in it, and what to do.
    """

    exit_code = ExitCode.NO_USABLE_INPUT


class InputChanged(EvtdiagError):
    """An input changed while the report was being made: an event's XML, rendered again
    from the file when it is shown, is no longer there."""

    exit_code = ExitCode.FAILED

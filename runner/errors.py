"""The error kinds of the library. Each carries an exit code and a hint; the CLI's
error boundary turns them into one line on stderr."""

from __future__ import annotations

# The one table of exit codes (documented in --help and the README).
EXIT_OK = 0
EXIT_FAILED = 1  # a gate or contract was evaluated and failed
EXIT_USAGE = 2  # wrong flag or argument
EXIT_PAUSED = 3  # paused, waiting for a person
EXIT_ERROR = 4  # known operational error (bad contract, not a git repo, ffmpeg missing)
EXIT_BUG = 70  # unexpected bug: traceback saved to a log
EXIT_INTERRUPTED = 130

EXIT_CODES = {
    EXIT_OK: "success",
    EXIT_FAILED: "a gate, check or verification was evaluated and failed",
    EXIT_USAGE: "usage error (unknown flag, missing argument)",
    EXIT_PAUSED: "paused, waiting for a person (resume with `runner run resume`)",
    EXIT_ERROR: "known error: bad contract or record, refused state change, not a workspace, missing tool",
    EXIT_BUG: "unexpected bug: the traceback is saved to a log whose path is printed",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
}


class RunnerError(Exception):
    """An expected failure: a one-line message, a hint on how to fix it, an exit code."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class UsageError(RunnerError):
    exit_code = EXIT_USAGE


class WorkspaceError(RunnerError):
    """Not a workspace, bad config, path outside the workspace."""


class ContractError(RunnerError):
    """A contract or workflow is malformed (names the file, the check index, the field)."""


class RecordError(RunnerError):
    """A record file is missing, malformed, or inconsistent."""


class StateError(RunnerError):
    """A refused state change (finish twice, start while running, decide twice...)."""


class NotFoundError(RunnerError):
    """A run, gate or file that does not exist."""


class GitError(RunnerError):
    """A git command failed."""


class LockTimeout(RunnerError):
    """The workspace lock could not be taken in time."""


class ToolMissing(RunnerError):
    """An external binary or optional package is not installed."""


class GateFailed(RunnerError):
    """A gate, check or verification was evaluated and failed (exit 1)."""

    exit_code = EXIT_FAILED


class Paused(RunnerError):
    """The run waits for a person (exit 3)."""

    exit_code = EXIT_PAUSED

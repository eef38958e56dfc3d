"""The one place that starts subprocesses: argv lists only (never a shell), a clean
environment for git, timeouts, and output captured to logs when asked."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Mapping, Sequence

import msgspec

from runner.errors import RunnerError, ToolMissing

# Inherited git variables would redirect our git calls to another repository or index.
_GIT_ENV_DROP = (
    "GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE", "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_PREFIX", "GIT_COMMON_DIR",
)


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _GIT_ENV_DROP}
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["LC_ALL"] = "C"
    if extra:
        env.update(extra)
    return env


PIPE, DEVNULL = subprocess.PIPE, subprocess.DEVNULL


def spawn(argv: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None,
          stdin: int = PIPE, stdout: int = PIPE, stderr: int = PIPE) -> subprocess.Popen:
    """Start argv for a caller that streams through its pipes (a long-lived `git cat-file
    --batch`, ffmpeg's frames); the caller waits for it. A missing tool is ToolMissing."""
    try:
        return subprocess.Popen(list(argv), cwd=cwd, env=env, stdin=stdin, stdout=stdout, stderr=stderr)
    except FileNotFoundError:
        raise ToolMissing(f"{argv[0]} is not installed or not on PATH", _install_hint(argv[0])) from None


def run(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    input: bytes | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess:
    """Run argv and capture its output (bytes). Never raises for a non-zero exit."""
    try:
        return subprocess.run(
            list(argv), cwd=cwd, input=input, env=env, timeout=timeout,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False,
        )
    except FileNotFoundError:
        raise ToolMissing(f"{argv[0]} is not installed or not on PATH", _install_hint(argv[0])) from None
    except subprocess.TimeoutExpired:
        raise RunnerError(f"{argv[0]} did not finish within {timeout} s") from None


class Logged(msgspec.Struct):
    exit_code: int | None  # None when it timed out
    duration_s: float
    timed_out: bool


def run_logged(
    argv: Sequence[str], *, cwd: Path | None, stdout_log: Path | None, stderr_log: Path,
    timeout: float | None = None, env: Mapping[str, str] | None = None,
) -> Logged:
    """Run argv with stdout/stderr written to log files (no stdout log: discarded); a
    timeout kills it."""
    stderr_log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(stdout_log or os.devnull, "wb") as out, open(stderr_log, "wb") as err:
        try:
            proc = subprocess.Popen(list(argv), cwd=cwd, env=env, stdout=out, stderr=err,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        except FileNotFoundError:
            raise ToolMissing(f"{argv[0]} is not installed or not on PATH", _install_hint(argv[0])) from None
        except PermissionError:
            raise RunnerError(f"{argv[0]} is not executable", "check its permissions") from None
        expired: list[bool] = []
        timer = _kill_at(proc, timeout, expired) if timeout is not None else None
        code: int | None = proc.wait()  # blocks: Popen.wait(timeout) polls, up to 50 ms late
        if timer is not None:
            timer.cancel()
        if expired:
            code = None
    return Logged(code, round(time.monotonic() - started, 3), bool(expired))


def _kill_at(proc: subprocess.Popen, timeout: float, expired: list[bool]):
    """A timer that kills the process group of `proc` after `timeout` seconds unless it
    has ended (the pid cannot be reused before `wait` reaps it)."""
    import threading

    def kill() -> None:
        if proc.returncode is None:
            expired.append(True)
            try:
                os.killpg(proc.pid, 9)
            except ProcessLookupError:  # it ended meanwhile
                pass

    timer = threading.Timer(timeout, kill)
    timer.daemon = True
    timer.start()
    return timer


def _install_hint(binary: str) -> str:
    if binary in ("ffmpeg", "ffprobe"):
        return "install it: `apt-get install ffmpeg` (the project's `make setup` does this)"
    if binary == "git":
        return "install git"
    return f"install {binary} or fix the command"

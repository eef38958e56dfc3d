"""The external binaries (ffmpeg, ffprobe) and how they are run: argv only (no shell),
stderr kept in a log or in memory, a failure raised with the last line it printed."""

from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path

from runner import proc
from runner.errors import RunnerError, ToolMissing

INSTALL_HINT = "install ffmpeg (e.g. `apt-get install ffmpeg` or `brew install ffmpeg`)"


@lru_cache(maxsize=None)
def binary(name: str) -> str:
    """The absolute path of `ffmpeg` or `ffprobe`; ToolMissing when not on PATH."""
    found = shutil.which(name)
    if found is None:
        raise ToolMissing(f"{name} not found on PATH", INSTALL_HINT)
    return found


@lru_cache(maxsize=None)
def ffmpeg_version() -> str:
    """The first line of `ffmpeg -version` (the output bytes depend on it)."""
    out = proc.run([binary("ffmpeg"), "-version"]).stdout.decode(errors="replace")
    return out.splitlines()[0].strip() if out else "unknown"


# ffmpeg's closing lines, which say that it failed but not why.
_TRAILERS = ("Conversion failed!", "Exiting normally", "Error while filtering", "Error opening output files")
# Warnings ffmpeg may print after the real error, depending on timing (e.g. a loaded machine).
_NOISE = ("Thread message queue blocking",)


def last_line(text: str) -> str:
    """The last line of ffmpeg's stderr that says something: its generic closing lines
    are skipped."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    telling = [line for line in lines if not line.startswith(_TRAILERS) and not any(n in line for n in _NOISE)]
    return (telling or lines or ["(no output)"])[-1]


def run_logged(argv: list[str], log: Path, *, cwd: Path | None = None, what: str = "ffmpeg") -> None:
    """Run `argv` with stderr written to `log`; RunnerError with its last line on failure."""
    result = proc.run_logged(argv, cwd=cwd, stdout_log=None, stderr_log=log)
    if result.exit_code != 0:
        tail = last_line(log.read_text(encoding="utf-8", errors="replace"))
        raise RunnerError(f"{what} failed (exit {result.exit_code}): {tail}", f"full log: {log}")


def run_captured(argv: list[str], *, what: str = "ffmpeg") -> str:
    """Run `argv` and return its stderr (where ffmpeg reports filters); RunnerError on failure."""
    result = proc.run(argv)
    stderr = result.stderr.decode("utf-8", errors="replace")
    if result.returncode != 0:
        raise RunnerError(f"{what} failed (exit {result.returncode}): {last_line(stderr)}")
    return stderr

"""runner.proc.run_logged: the exit code and logs of a command, and a timeout that kills
its whole process group."""

from __future__ import annotations

import time

from runner.proc import run_logged


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper is not)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_command_that_ends_gives_its_exit_code_and_logs(tmp_path):
    result = run_logged(["sh", "-c", "echo out; echo err >&2; exit 3"], cwd=tmp_path, stdout_log=tmp_path / "o.log",
                        stderr_log=tmp_path / "e.log", timeout=30)
    assert (result.exit_code, result.timed_out) == (3, False)
    assert (tmp_path / "o.log").read_text() == "out\n" and (tmp_path / "e.log").read_text() == "err\n"


def test_a_timeout_kills_the_command_and_what_it_started(tmp_path):
    pid_file = tmp_path / "child.pid"
    began = time.monotonic()
    result = run_logged(["sh", "-c", f"sleep 30 & echo $! > {pid_file}; wait"], cwd=tmp_path, stdout_log=None,
                        stderr_log=tmp_path / "e.log", timeout=0.5)
    assert (result.exit_code, result.timed_out) == (None, True)
    assert time.monotonic() - began < 10
    child = int(pid_file.read_text())
    for _ in range(100):  # the background sleep was in the group: killed too
        if not alive(child):
            break
        time.sleep(0.05)
    else:
        raise AssertionError(f"the command's child {child} outlived the timeout")

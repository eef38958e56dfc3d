"""A warm `runner` for the torture test: imports the CLI and every module that
`gate finish` and `gate approve` need once, then forks one child per command, so that
a kill 0-150 ms after the fork lands inside the command's work (loading, checking,
hashing, writing, committing) rather than inside Python's start-up.

Protocol, one JSON line each way:
    in:  {"args": [...], "log": "/path/of/the/child's/stdout+stderr", "kill_after": SECONDS or null}
    out: {"pid": N, "status": S}    S >= 0 the child's exit code, S < 0 -signal (-9: killed)

The server itself sends the SIGKILL `kill_after` seconds after the fork (a child that
already exited is a zombie until reaped, so the kill cannot hit another process).

    python robust_forkserver.py
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time


def _warm() -> None:
    from runner import checks, contracts, git, records  # noqa: F401
    from runner.cli import decide_cmd, gate_cmd  # noqa: F401  (the commands and their modules)
    from runner.steps import STEP_KINDS  # noqa: F401


def main() -> None:
    from runner.cli.main import main as runner_main

    _warm()
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:  # the child: one `runner` command, its output in its log
            code = 70
            try:
                fd = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                os.dup2(fd, 1)
                os.dup2(fd, 2)
                code = runner_main(request["args"])
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
        if request.get("kill_after") is not None:
            time.sleep(request["kill_after"])
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        print(json.dumps({"pid": pid, "status": code}), flush=True)


if __name__ == "__main__":
    main()

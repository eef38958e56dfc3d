"""One process of the concurrency tests (test_robust_concurrency.py): runs a list of
`runner` commands in this process (one interpreter start-up, then each command through
runner.cli.main.main) and prints one JSON line per command: {"args", "code", "out", "err", "t0", "t1"}.

    python concurrency_worker.py OPS_JSON_FILE
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time


def main() -> None:
    from runner.cli.main import main as runner_main

    with open(sys.argv[1]) as fh:
        ops = json.load(fh)
    for op in ops:
        args = op["args"] if isinstance(op, dict) else op  # {"args": [...]} or the bare list
        out, err = io.StringIO(), io.StringIO()
        t0 = time.time()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = runner_main(args)
        t1 = time.time()
        print(json.dumps({"args": args, "code": code, "out": out.getvalue(), "err": err.getvalue(),
                          "t0": t0, "t1": t1}), flush=True)


if __name__ == "__main__":
    main()

"""Which process runs an open attempt: the runner records its pid and host when it
produces a gate's outputs itself (command, render, qc), so that a second driver is
refused while the first lives, and takes the attempt over once it died."""

from __future__ import annotations

import os

from runner.errors import StateError
from runner.models.run import OpenAttempt
from runner.run.session import Session, transaction
from runner.run.transitions import append_event, open_attempt


def take_over(s: Session, run_id: str, gate_id: str) -> None:
    """Before this process runs again an open attempt that another process started (a
    driver killed mid-command, then `run resume`): refuse while that process is alive on
    this host, else become the attempt's owner (recorded as an event)."""
    with transaction(s, run_id, f"take over {gate_id}") as tx:
        run = tx.load_run()
        state, current = open_attempt(run, gate_id)
        me, host = os.getpid(), hostname()
        if current.pid is None or current.pid == me:
            return
        refuse_if_busy(state.gate, current)
        number = current.attempt
        append_event(run, "attempt_taken_over", s.actor, gate=gate_id, attempt=number,
                     previous_pid=current.pid, previous_host=current.host)
        tx.subject = f"gate {gate_id} attempt {number} taken over from process {current.pid}"
        current.pid, current.host = me, host
        tx.trailers = {"Gate": gate_id, "Attempt": number, "Status": "RUNNING", "Op": "take-over"}
        tx.save_run(run)


def refuse_if_busy(gate_id: str, current: OpenAttempt | None) -> None:
    """Refuse to run a gate whose open attempt (`current`) another live process on this host runs."""
    if current is None or current.pid is None or current.pid == os.getpid():
        return
    if current.host == hostname() and alive(current.pid):
        raise StateError(f"gate {gate_id} attempt {current.attempt} is being run by process {current.pid} "
                         f"(started {current.started_at})",
                         "wait for that driver to finish, or stop it and resume again")


def hostname() -> str:
    return os.uname().nodename  # what socket.gethostname() returns, without importing socket


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True

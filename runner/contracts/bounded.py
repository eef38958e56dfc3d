"""Checks under a time and a memory bound. A contract is input a person (or an attacker)
writes: a regex that backtracks for hours, a 1 GB file, a JSON bomb. The checks of an
evaluation run in a forked child with an address-space limit; each check's outcome comes
back over a pipe as soon as it is known, and a check that does not answer within its
budget FAILs with that reason: the child is killed and a new one goes on with the next
check. One fork per evaluation when every check is in time.

Where fork is missing (not POSIX), checks run in this process without bounds."""

from __future__ import annotations

import os
import select
import signal
import time
from typing import Callable, Sequence

import msgspec

from runner.checks.base import CheckContext, Outcome
from runner.errors import ContractError, RunnerError

MiB = 1 << 20


class _Failed(msgspec.Struct):
    """What a check raised, to raise again in the parent."""

    kind: str  # "contract" (ContractError) or "runner" (another RunnerError) or "bug"
    message: str
    hint: str | None = None


def run_bounded(specs: Sequence, ctx: CheckContext, check: Callable, wheres: Sequence[str],
                bounds: tuple[float, int] | None) -> list[Outcome]:
    """`check(spec, ctx)` for every spec; with `bounds` (seconds per check, MiB for them
    all) in a child, else in this process. Raises what a check raises (a ContractError
    names the contract)."""
    if bounds is None or not hasattr(os, "fork") or not specs:
        return [_one(check, spec, ctx, where) for spec, where in zip(specs, wheres)]
    timeout_s, memory_mb = bounds
    outcomes: list[Outcome] = []
    while len(outcomes) < len(specs):
        outcomes += _child(specs, len(outcomes), ctx, check, wheres, timeout_s, memory_mb)
    return outcomes


def _one(check: Callable, spec, ctx: CheckContext, where: str) -> Outcome:
    ctx.where = where
    return check(spec, ctx)


def _child(specs: Sequence, start: int, ctx: CheckContext, check: Callable, wheres: Sequence[str],
           timeout_s: float, memory_mb: int) -> list[Outcome]:
    """Run specs[start:] in one child; the outcomes it gave before it ended, and the
    timeout or memory failure of the check it was on, if any."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_fd)
        _serve(specs, start, ctx, check, wheres, write_fd, memory_mb)
    os.close(write_fd)
    outcomes: list[Outcome] = []
    buffer = b""
    deadline = time.monotonic() + timeout_s
    try:
        with os.fdopen(read_fd, "rb", buffering=0) as pipe:
            while start + len(outcomes) < len(specs):
                left = deadline - time.monotonic()
                ready, _, _ = select.select([pipe], [], [], max(left, 0))
                if not ready:
                    outcomes.append(_timed_out(timeout_s))
                    break
                chunk = pipe.read(1 << 16)
                if not chunk:  # the child died on this check (killed, out of memory)
                    outcomes.append(_died(pid, memory_mb))
                    break
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    outcomes.append(_result(bytes.fromhex(line.decode())))
                    deadline = time.monotonic() + timeout_s
    finally:
        _reap(pid)
    return outcomes


def _serve(specs: Sequence, start: int, ctx: CheckContext, check: Callable, wheres: Sequence[str], fd: int,
           memory_mb: int) -> None:
    try:
        import resource

        # on top of what the process already maps (the interpreter, its libraries)
        limit = _mapped() + memory_mb * MiB
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass
    encoder = msgspec.msgpack.Encoder()
    code = 0
    try:
        for spec, where in zip(specs[start:], wheres[start:]):
            try:
                answer: Outcome | _Failed = _one(check, spec, ctx, where)
            except ContractError as exc:
                answer = _Failed("contract", exc.message, exc.hint)
            except RunnerError as exc:
                answer = _Failed("runner", exc.message, exc.hint)
            except MemoryError:
                answer = Outcome("FAIL", f"the check ran out of its memory bound ({memory_mb} MiB)")
            except Exception as exc:  # noqa: BLE001  a bug in a check: the parent reports it
                answer = _Failed("bug", f"{type(exc).__name__}: {exc}")
            data = encoder.encode([type(answer).__name__, answer])
            os.write(fd, data.hex().encode() + b"\n")
            if isinstance(answer, _Failed):
                break
    except BaseException:  # noqa: BLE001  the child must never run the parent's code
        code = 1
    finally:
        os._exit(code)


def _mapped() -> int:
    """The bytes of address space this process maps now (Linux: /proc/self/statm)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _result(data: bytes) -> Outcome:
    kind, body = msgspec.msgpack.decode(data)
    if kind == "_Failed":
        failed = msgspec.convert(body, _Failed)
        if failed.kind == "contract":
            raise ContractError(failed.message, failed.hint)
        if failed.kind == "runner":
            raise RunnerError(failed.message, failed.hint)
        raise RuntimeError(f"a check raised {failed.message}")
    return msgspec.convert(body, Outcome)


def _timed_out(timeout_s: float) -> Outcome:
    return Outcome("FAIL", f"the check did not finish within {timeout_s:g} s (check_timeout_s in runner.json)",
                   details={"timeout_s": timeout_s})


def _died(pid: int, memory_mb: int) -> Outcome:
    return Outcome("FAIL", f"the check stopped without an answer (out of its {memory_mb} MiB memory bound, "
                   "or killed)", details={"memory_mb": memory_mb})


def _reap(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass

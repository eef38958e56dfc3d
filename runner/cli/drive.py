"""`runner run <workflow>` and `runner run resume`: render the driver's outcome, and on
a terminal wait for the person (Enter, or a decision typed at the prompt)."""

from __future__ import annotations

import select
import sys
from pathlib import Path

import click

from runner.cli.common import emit_json
from runner.errors import EXIT_FAILED, EXIT_PAUSED
from runner.repo import Repo
from runner.run import driver
from runner.timeutil import now, parse

EXIT_BY_KIND = {"done": 0, "failed": EXIT_FAILED, "paused": EXIT_PAUSED}


def finish(repo: Repo, outcome: driver.Outcome, as_json: bool, interactive: bool) -> int:
    while outcome.kind == "paused" and interactive and not as_json:
        _show(outcome)
        outcome = _wait(repo, outcome)
        if outcome is None:
            return EXIT_PAUSED
    if as_json:
        emit_json(outcome)
    else:
        _show(outcome)
    if outcome.kind == "done" and outcome.status != "PASSED":
        return EXIT_FAILED
    return EXIT_BY_KIND[outcome.kind]


def _show(o: driver.Outcome) -> None:
    click.echo(f"[{o.run_id}] {o.message}")
    if o.packet:
        click.echo(f"  prompt packet: {o.packet}")
    for step in o.next_steps:
        click.echo(f"  next: {step}")


def _wait(repo: Repo, o: driver.Outcome) -> driver.Outcome | None:
    """One answer from the person; None when they leave (the pause stays recorded)."""
    if o.waiting_for == "outputs":
        answer = _ask("Enter when the outputs are ready, `fail REASON`, or `q` to leave: ", None)
    else:
        answer = _ask("`approve [NOTE]`, `reject [NOTE]`, or `q` to leave: ", o.deadline)
        if answer is None:  # the deadline passed while waiting: let the timer act
            return repo.advance(o.run_id)
    if answer.strip() in ("q", "quit"):
        return None
    word, _, rest = answer.strip().partition(" ")
    if o.waiting_for == "outputs":
        if word == "fail":
            repo.gate_fail(o.run_id, o.gate, rest or "failed at the prompt")
            return repo.advance(o.run_id)
        return repo.advance(o.run_id, proceed=True)
    if word in ("approve", "reject"):
        repo.decide(o.run_id, o.gate, word, note=rest or None)
        return repo.advance(o.run_id, proceed=word == "approve")
    click.echo("  (not understood)")
    return o


def _ask(prompt: str, deadline: str | None) -> str | None:
    click.echo(prompt, nl=False)
    sys.stdout.flush()
    while True:
        timeout = 1.0
        if deadline:
            left = (parse(deadline) - now()).total_seconds()
            if left <= 0:
                click.echo("")
                return None
            timeout = min(timeout, left)
        ready, _, _ = select.select([sys.stdin], [], [], timeout)
        if ready:
            line = sys.stdin.readline()
            return "q" if line == "" else line.rstrip("\n")


def interactive() -> bool:
    """A person at a terminal. A closed stdin (`<&-`: sys.stdin is None) is not one."""
    try:
        return bool(sys.stdin and sys.stdout and sys.stdin.isatty() and sys.stdout.isatty())
    except ValueError:  # a closed file object
        return False


def prompt_text(prompt_file: Path | None) -> str | None:
    return prompt_file.read_text(encoding="utf-8") if prompt_file else None

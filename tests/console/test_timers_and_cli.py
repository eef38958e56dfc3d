"""What the server does alone (deadlines applied by its timer loop, also for a deadline
that passed while no server ran, and the run continued), and the `runner serve` command
line: tokens shown once and stored hashed, loopback only unless allowed, no start
without a token, and nothing of the console loaded by `runner --help`."""

from __future__ import annotations

import copy
import json
import os
import re
import signal
import stat
import subprocess

import httpx
from console_helpers import REVIEW, review_workspace, start_server, wait_for
from helpers import PYTHON, RUNNER_BIN, cli, runner_proc

from runner import Repo
from runner.console import tokens
from runner.timeutil import now, parse


def test_a_deadline_that_passed_while_no_server_ran_is_applied_and_the_run_goes_on(ws_root, access):
    timed = copy.deepcopy(REVIEW)
    timed["gates"][0]["approval"] = {"required": True, "auto_approve_after_s": 1, "on_timeout": "approve"}
    (run_id,) = review_workspace(ws_root, runs=1, workflow=timed)
    deadline = parse(Repo(ws_root).run(run_id).gate("B1").waiting.deadline)
    assert wait_for(lambda: now() > deadline)  # the server starts only after it passed
    server = start_server(ws_root, access, tick_interval=0.3)
    try:
        assert wait_for(lambda: Repo(ws_root).run(run_id).status == "PASSED"), server.log.read_text()
    finally:
        server.stop()
    decision = Repo(ws_root).decision(run_id, "B1", 1)
    assert (decision.by.name, decision.timed_out, decision.verdict) == ("timer", True, "approve")


def test_token_add_shows_the_token_once_and_stores_only_its_hash(tmp_path):
    path = tmp_path / "cfg" / "tokens.json"
    added = cli("serve", "token", "add", "--name", "Grace Hopper <grace@example.org>", "--role", "decider",
                "--tokens-file", path, "--json", check=0).json
    secret = added["token"]
    stored = path.read_text()
    assert secret not in stored and tokens.digest(secret) in stored
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    listed = cli("serve", "token", "list", "--tokens-file", path, "--json", check=0)
    assert [t["name"] for t in listed.json] == ["Grace Hopper <grace@example.org>"] and secret not in listed.out
    assert tokens.authenticate(secret, tokens.load(path)).role == "decider"
    cli("serve", "token", "revoke", added["id"], "--tokens-file", path, check=0)
    assert tokens.authenticate(secret, tokens.load(path)) is None
    missing = cli("serve", "token", "revoke", added["id"], "--tokens-file", path, check=4)
    assert "no token" in missing.err


def test_token_add_refuses_what_cannot_name_a_person(tmp_path):
    path = tmp_path / "tokens.json"
    no_email = cli("serve", "token", "add", "--name", "admin", "--role", "decider", "--tokens-file", path, check=2)
    reserved = cli("serve", "token", "add", "--name", "timer <t@example.org>", "--role", "decider",
                   "--tokens-file", path, check=2)
    bad_role = cli("serve", "token", "add", "--name", "A <a@example.org>", "--role", "admin",
                   "--tokens-file", path, check=2)
    assert "no email" in no_email.err and "reserved" in reserved.err and "admin" in bad_role.err
    assert not path.exists()


def test_serve_binds_beyond_loopback_only_when_told_and_needs_a_token(ws_root, tmp_path):
    remote = runner_proc("serve", "--repo", ws_root, "--host", "0.0.0.0", cwd=ws_root, check=2,
                         env={"RUNNER_TOKENS_FILE": str(tmp_path / "t.json")})
    assert "--allow-remote" in remote.err
    empty = runner_proc("serve", "--repo", ws_root, "--port", "0", cwd=ws_root, check=4,
                        env={"RUNNER_TOKENS_FILE": str(tmp_path / "t.json")})
    assert "no access tokens" in empty.err and "runner serve token add" in empty.err
    assert "runner console on" not in empty.err  # no address announced for a console that never listened


def test_a_port_in_use_is_a_known_error(ws_root, access):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner_proc("serve", "--repo", ws_root, "--port", port, cwd=ws_root, check=4,
                             env={"RUNNER_TOKENS_FILE": str(access.file)})
    assert f"cannot listen on 127.0.0.1:{port}" in result.err and "--port" in result.err
    assert "runner console on" not in result.err


def test_serve_announces_the_port_it_listens_on(ws_root, access, tmp_path):
    """With --port 0 the system picks the port; the line printed names that port, which answers."""
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(RUNNER_BIN), "serve", "--repo", str(ws_root), "--port", "0"], stdout=out,
                                stderr=subprocess.STDOUT, env={**os.environ, "RUNNER_TOKENS_FILE": str(access.file)},
                                start_new_session=True)
    try:
        assert wait_for(lambda: "runner console on" in log.read_text() or proc.poll() is not None)
        url = re.search(r"runner console on (http://127\.0\.0\.1:(\d+)/)", log.read_text())
        assert url and url.group(2) != "0", log.read_text()
        assert wait_for(lambda: _answers(url.group(1) + "api/v1/schema/openapi.json"))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_runner_help_loads_nothing_of_the_web_stack():
    code = ("import sys; from runner.cli.main import main; main(['serve', '--help']); main(['--help']); "
            "print(sorted(m for m in ('litestar', 'uvicorn', 'runner.console.app') if m in sys.modules))")
    out = subprocess.run([str(PYTHON), "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out.strip().splitlines()[-1].replace("'", '"')) == []

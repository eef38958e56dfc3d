"""Signed record commits (the repository's own signing setup, here SSH keys): runner
commits are signed like any commit, and `verify --require-signed` reports every commit
that changed a record without a good signature."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from helpers import cli, git, pass_gate, start_run
from verify_helpers import findings, verify

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed")


def _sign_with_ssh(root, tmp_path):
    key = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ada", "-f", str(key)], check=True)
    signers = tmp_path / "allowed_signers"
    signers.write_text(f"ada@example.org {(tmp_path / 'key.pub').read_text()}")
    for key_, value in (("gpg.format", "ssh"), ("user.signingkey", str(key)), ("commit.gpgsign", "true"),
                        ("gpg.ssh.allowedSignersFile", str(signers))):
        git(root, "config", key_, value)


def test_runner_commits_are_signed_and_verified(essay_ws_committed, tmp_path):
    root = essay_ws_committed
    _sign_with_ssh(root, tmp_path)
    run_id = start_run(root)
    pass_gate(root, run_id, "G1")
    assert git(root, "log", "-1", "--format=%G?").strip() == "G"
    result = verify(root, "--require-signed", check=0)
    assert findings(result) == []


def test_an_unsigned_record_commit_is_reported(essay_ws_committed, tmp_path):
    root = essay_ws_committed
    run_id = start_run(root)  # before signing was set up: unsigned
    _sign_with_ssh(root, tmp_path)
    pass_gate(root, run_id, "G1")
    assert verify(root, check=0).code == 0  # signatures are not required unless asked
    result = verify(root, "--require-signed", check=1)
    found = findings(result, "signature")
    assert len(found) == 1 and "is not signed" in found[0]["message"]
    unsigned = git(root, "rev-list", "--max-parents=1", "HEAD").split()
    assert found[0]["commit"] in unsigned


def test_a_signer_that_fails_stops_the_command(essay_ws_committed):
    root = essay_ws_committed
    run_id = start_run(root)
    git(root, "config", "commit.gpgsign", "true")
    git(root, "config", "gpg.program", "/bin/false")
    result = cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "G1", check=4)
    assert "commit-tree failed" in result.err

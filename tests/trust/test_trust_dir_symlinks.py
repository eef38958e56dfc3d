"""A symbolic link inside a directory output is hashed as git stores one (its target path
as the content, marked as a link), so what min_file_count counts is what the hash covers:
retargeting a link changes the recorded hash, and verify sees it. Nothing is followed:
the file a link leads to is never read, and an output that is itself a link leading out
of the workspace is still refused."""

from __future__ import annotations

import json

from helpers import cli, git

from runner import hashing

CONTRACT = {
    "gate": "D", "name": "A folder of files",
    "required_outputs": {"all_of": [{"path": "{artifact_path}/pages"}]},
    "validations": [{"type": "min_file_count", "target": "{artifact_path}/pages", "pattern": "*.md",
                     "thresholds": {"quick": 2, "standard": 2, "deep": 2}}],
}


def _workspace(root):
    (root / "contracts" / "D.contract.json").write_text(json.dumps(CONTRACT))
    (root / "orchestration" / "workflows" / "t.json").write_text(json.dumps(
        {"workflow": "t", "gates": [{"gate": "D", "kind": "agent", "contract": "contracts/D.contract.json"}]}))
    pages = root / "art" / "pages"
    pages.mkdir(parents=True)
    (pages / "one.md").write_text("one\n")
    (root / "art" / "two.md").write_text("two\n")
    (root / "art" / "three.md").write_text("three\n")
    (pages / "two.md").symlink_to("../two.md")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "user: set up")
    return pages


def _finish(root):
    run_id = cli("run", "start", "--repo", root, "--workflow", "t", "--slug", "s", "--artifact-path", "art",
                 "--json", check=0).json["run_id"]
    cli("gate", "start", "--repo", root, "--run", run_id, "--gate", "D", check=0)
    return run_id, cli("gate", "finish", "--repo", root, "--run", run_id, "--gate", "D", "--json", check=0).json


def test_a_counted_symlink_is_in_the_hash_and_verify_sees_it_retargeted(ws_root):
    pages = _workspace(ws_root)
    run_id, attempt = _finish(ws_root)
    assert attempt["validations"][0]["details"]["count"] == 2  # the link is counted...
    recorded = attempt["artifacts"][0]["sha256"]
    (pages / "two.md").unlink()
    (pages / "two.md").symlink_to("../three.md")  # ...so retargeting it is a change
    assert hashing.sha256_dir(pages)[0] != recorded
    report = cli("verify", "--repo", ws_root, "--run", run_id, "--json")
    assert report.code == 1 and "artifact-changed" in report.out, report


def test_a_link_is_hashed_by_its_target_path_not_by_what_it_points_to(tmp_path):
    root = tmp_path / "d"
    root.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("before")
    (root / "link").symlink_to(outside)
    (root / "dirlink").symlink_to(tmp_path, target_is_directory=True)
    (root / "dangling").symlink_to(tmp_path / "nothing-here")
    digest, size = hashing.sha256_dir(root)
    manifest = dict(hashing.dir_manifest(root))
    assert sorted(manifest) == ["dangling", "dirlink", "link"]
    assert manifest["link"] == "symlink " + hashing.sha256_bytes(str(outside).encode())
    assert size == sum(len(str(t)) for t in (outside, tmp_path, tmp_path / "nothing-here"))
    outside.write_text("after: the link is not followed")
    assert hashing.sha256_dir(root) == (digest, size)


def test_a_link_and_a_file_holding_its_target_path_hash_differently(tmp_path):
    as_link, as_file = tmp_path / "a", tmp_path / "b"
    as_link.mkdir()
    as_file.mkdir()
    (as_link / "x").symlink_to("target")
    (as_file / "x").write_text("target")
    assert hashing.sha256_dir(as_link)[0] != hashing.sha256_dir(as_file)[0]


def test_a_folder_without_links_hashes_as_before(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.txt").write_bytes(b"a")
    line = f"{hashing.sha256_bytes(b'a')}  a.txt\n"
    assert hashing.sha256_dir(tmp_path / "d") == (hashing.sha256_bytes(line.encode()), 1)

"""runner.hashing: streamed SHA-256 of raw bytes, and the directory manifest."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from runner import hashing


def _tree(root: Path, files: dict[str, bytes], order=None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name in order or files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[name])
    return root


FILES = {"a.txt": b"alpha\n", "sub/b.bin": bytes(range(256)), "sub/deeper/c.md": b"# c\r\n", "z": b""}


@pytest.mark.parametrize("data", [b"", b"x", b"hello\r\nworld\n", bytes(range(256)) * 3])
def test_file_hash_is_hashlib_of_the_raw_bytes(tmp_path, data):
    path = tmp_path / "f"
    path.write_bytes(data)
    assert hashing.sha256_file(path) == hashlib.sha256(data).hexdigest()
    assert hashing.sha256_file(str(path)) == hashlib.sha256(data).hexdigest()


def test_file_hash_never_normalises_line_endings(tmp_path):
    (tmp_path / "unix").write_bytes(b"a\nb\n")
    (tmp_path / "dos").write_bytes(b"a\r\nb\r\n")
    assert hashing.sha256_file(tmp_path / "unix") != hashing.sha256_file(tmp_path / "dos")


def test_file_larger_than_one_chunk(tmp_path):
    data = os.urandom(hashing.CHUNK * 2 + 12345)
    path = tmp_path / "big"
    path.write_bytes(data)
    assert hashing.sha256_file(path) == hashlib.sha256(data).hexdigest()


def test_progress_callback_sees_every_byte(tmp_path):
    size = hashing.CHUNK * 3 + 7
    path = tmp_path / "big"
    path.write_bytes(b"\0" * size)
    calls: list[int] = []
    hashing.sha256_file(path, calls.append)
    assert len(calls) >= 4  # called per chunk, not once at the end
    assert sum(calls) == size
    assert all(n > 0 for n in calls)


def test_progress_callback_for_directories(tmp_path):
    root = _tree(tmp_path / "d", FILES)
    calls: list[int] = []
    digest, size = hashing.sha256_dir(root, calls.append)
    assert sum(calls) == size == sum(len(v) for v in FILES.values())
    assert digest == hashing.sha256_dir(root)[0]


def test_sha256_bytes():
    assert hashing.sha256_bytes(b"abc") == hashlib.sha256(b"abc").hexdigest()


def test_dir_manifest_is_sorted_relative_posix_paths(tmp_path):
    root = _tree(tmp_path / "d", FILES)
    manifest = hashing.dir_manifest(root)
    assert [rel for rel, _ in manifest] == sorted(FILES)
    assert dict(manifest) == {rel: hashlib.sha256(data).hexdigest() for rel, data in FILES.items()}


def test_dir_hash_is_the_sha256sum_style_manifest(tmp_path):
    root = _tree(tmp_path / "d", FILES)
    text = "".join(f"{hashlib.sha256(FILES[rel]).hexdigest()}  {rel}\n" for rel in sorted(FILES))
    digest, size = hashing.sha256_dir(root)
    assert digest == hashlib.sha256(text.encode()).hexdigest()
    assert size == sum(len(v) for v in FILES.values())


def test_dir_hash_is_stable_whatever_the_creation_order_and_location(tmp_path):
    one = _tree(tmp_path / "one", FILES)
    two = _tree(tmp_path / "elsewhere" / "two", FILES, order=list(reversed(list(FILES))))
    assert hashing.sha256_dir(one) == hashing.sha256_dir(two)
    assert hashing.sha256_dir(one) == hashing.sha256_dir(one)


def test_dir_hash_changes_with_content(tmp_path):
    root = _tree(tmp_path / "d", FILES)
    before = hashing.sha256_dir(root)[0]
    (root / "sub" / "b.bin").write_bytes(bytes(range(255)) + b"\x00")  # same size, other bytes
    assert hashing.sha256_dir(root)[0] != before


@pytest.mark.parametrize("rename", [("a.txt", "a2.txt"), ("sub/b.bin", "b.bin"), ("z", "sub/z")])
def test_dir_hash_changes_with_names(tmp_path, rename):
    root = _tree(tmp_path / "d", FILES)
    before = hashing.sha256_dir(root)[0]
    old, new = rename
    (root / new).parent.mkdir(parents=True, exist_ok=True)
    (root / old).rename(root / new)
    assert hashing.sha256_dir(root)[0] != before


def test_dir_hash_changes_when_a_file_is_added(tmp_path):
    root = _tree(tmp_path / "d", FILES)
    before = hashing.sha256_dir(root)[0]
    (root / "new-empty").write_bytes(b"")
    assert hashing.sha256_dir(root)[0] != before


def test_dir_manifest_does_not_follow_symlinks(tmp_path):
    """A link is hashed by its target path (tests/trust/test_trust_dir_symlinks.py); what
    it points to is never read."""
    outside = tmp_path / "secret.txt"
    outside.write_text("not part of the output")
    root = _tree(tmp_path / "d", FILES)
    before = hashing.sha256_dir(root)
    (root / "link").symlink_to(outside)
    (root / "dirlink").symlink_to(tmp_path, target_is_directory=True)
    with_links = hashing.sha256_dir(root)
    assert with_links != before
    outside.write_text("changed, and still not part of the output")
    assert hashing.sha256_dir(root) == with_links


def test_empty_directory(tmp_path):
    (tmp_path / "empty").mkdir()
    assert hashing.sha256_dir(tmp_path / "empty") == (hashlib.sha256(b"").hexdigest(), 0)


def test_total_size(tmp_path):
    root = _tree(tmp_path / "d", FILES)
    assert hashing.total_size(root) == sum(len(v) for v in FILES.values())
    assert hashing.total_size(root / "a.txt") == len(FILES["a.txt"])

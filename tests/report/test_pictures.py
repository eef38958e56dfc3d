"""Pictures of outputs: one ffmpeg per distinct recorded content (a published copy of a
render shares the render's contact sheet), unless a copy changed since."""

from __future__ import annotations

import base64
import shutil
import subprocess

from runner.hashing import sha256_file
from runner.report.pictures import Output, finish, start


def _video(path, colour: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", f"color=c={colour}:s=64x64:r=10",
                    "-t", "1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)], check=True)


def test_copies_share_one_sheet_and_a_changed_copy_gets_its_own(tmp_path):
    _video(tmp_path / "render.mp4", "red")
    shutil.copyfile(tmp_path / "render.mp4", tmp_path / "published.mp4")
    _video(tmp_path / "other.mp4", "blue")
    (tmp_path / "notes.txt").write_text("not a picture\n")
    recorded = {name: sha256_file(tmp_path / name) for name in ("render.mp4", "published.mp4", "other.mp4", "notes.txt")}
    now = {name: Output(name, sha, True) for name, sha in recorded.items()}

    started = start(tmp_path, recorded)
    assert started.paths == ["render.mp4", "published.mp4", "other.mp4"]
    assert sorted(started.jobs) == ["other.mp4", "render.mp4"]  # two ffmpeg processes for three videos
    render, published, other = finish(started, now)
    assert (published.same_as, published.data_uri) == ("render.mp4", None)  # given once, under the render
    assert render.data_uri != other.data_uri and published.sha256 == render.sha256
    assert base64.b64decode(render.data_uri.split(",", 1)[1])[:2] == b"\xff\xd8"
    assert (render.kind, render.frames, render.problem) == ("contact_sheet", 8, None)

    _video(tmp_path / "published.mp4", "green")  # changed after it was recorded
    now["published.mp4"] = Output("published.mp4", sha256_file(tmp_path / "published.mp4"), False)
    render, published, _ = finish(start(tmp_path, recorded), now)
    assert published.same_as is None and published.data_uri not in (None, render.data_uri)
    assert not published.recorded

"""`runner render` reads the original factory's job.json (their example
job.v1.square_dev, as it is): the background clip looped to the job's length, at
their resolution and frame rate, the shots' captions in final.srt."""

from __future__ import annotations

import json
import shutil

import pytest
from caf import CAF, example, needs_caf
from helpers import cli

from runner.errors import ContractError
from runner.media import load_job
from runner.media.caf_job import from_caf_job
from runner.media.probe import media_info

pytestmark = needs_caf


def test_their_example_job_renders(tmp_path, media):
    (tmp_path / "assets" / "demo").mkdir(parents=True)
    shutil.copyfile(media["short.mp4"], tmp_path / "assets" / "demo" / "dance_loop.mp4")  # 1 s, looped
    job = shutil.copyfile(CAF / "examples" / "job.v1.square_dev.example.json", tmp_path / "job.json")
    result = cli("render", job, "--base", tmp_path, "--out", tmp_path / "out", "--json", check=0).json
    assert (result["job_id"], result["frames"], result["duration_s"]) == ("example-square-dev", 12 * 24, 12.0)
    info = media_info(tmp_path / "out" / "final.mp4")
    assert (info.width, info.height, info.audio_codec) == (1080, 1080, None)
    assert abs(info.video_duration_s - 12.0) < 0.05
    srt = (tmp_path / "out" / "final.srt").read_text()
    assert srt.count(" --> ") == 6 and "00:00:10,000 --> 00:00:12,000\nDev Step 6" in srt


def test_their_job_loads_and_a_bad_one_names_the_field(tmp_path):
    job = load_job(CAF / "examples" / "job.v1.square_dev.example.json")
    assert [v.kind for v in job.visuals] == ["clip"] and job.visuals[0].loop
    assert [c.text for c in job.captions][:2] == ["Dev Step 1", "Dev Step 2"]
    bad = {**example("job.v1.square_dev.example.json"), "video": {"resolution": "square", "fps": 24}}
    with pytest.raises(ContractError, match=r"\$\.video\.resolution must be WIDTHxHEIGHT"):
        from_caf_job(bad, "job.json")
    shots = [{"shot_id": "shot_0001", "t": "soon", "visual": "v", "action": "a", "caption": "c"}]
    with pytest.raises(ContractError, match=r"\$\.shots\[0\]\.t must be a whole number"):
        from_caf_job({**example("job.v1.square_dev.example.json"), "shots": shots}, "job.json")
    path = tmp_path / "job.json"
    path.write_text(json.dumps({**example("job.v1.square_dev.example.json"),
                                "render": {"background_asset": "assets/cat.png", "subtitle_style": "big_bottom",
                                           "output_basename": "x"}}))
    assert load_job(path).visuals[0].kind == "image"

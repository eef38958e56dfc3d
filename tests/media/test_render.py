from __future__ import annotations

import json
import subprocess

import msgspec
import pytest

from runner.errors import ContractError, RunnerError, ToolMissing
from runner.hashing import sha256_file
from runner.media import load_job, render, tools
from runner.models.media import RenderJob, RenderResult


def make_job(**changes) -> RenderJob:
    data = {
        "job_id": "demo-1",
        "visuals": [
            {"kind": "image", "path": "assets/astronaut.png", "duration": 1.2},
            {"kind": "image", "path": "assets/red.png", "duration": 0.8},
        ],
        "audio": {"path": "assets/tone.wav"},
        "captions": [
            {"start": 0, "end": 1.0, "text": "An astronaut"},
            {"start": 1.2, "end": 5.0, "text": "Red"},
        ],
        "output": {"width": 320, "height": 240, "fps": 25, "preset": "veryfast"},
    }
    data.update(changes)
    return _convert(RenderJob, data)


def stream_facts(path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-print_format", "json", "-show_streams", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return {s["codec_type"]: s for s in json.loads(out.stdout)["streams"]}


@pytest.fixture(scope="module")
def rendered(workspace):
    out = workspace / "out" / "demo-1"
    return out, render(make_job(), workspace, out)


def test_render_writes_the_expected_video(rendered):
    out, result = rendered
    streams = stream_facts(out / "final.mp4")
    video, audio = streams["video"], streams["audio"]
    assert (video["width"], video["height"]) == (320, 240)
    assert video["r_frame_rate"] == "25/1"
    assert int(video["nb_read_frames"]) == 50 == result.frames  # 1.2 s + 0.8 s at 25 fps
    assert float(video["duration"]) == pytest.approx(2.0, abs=0.01)
    assert float(audio["duration"]) == pytest.approx(2.0, abs=0.03)  # the 10 s tone is trimmed
    assert result.video_duration_s == pytest.approx(2.0, abs=0.01)
    assert not (out / ".final.mp4.part").exists()


def test_render_writes_captions_as_srt(rendered):
    out, _ = rendered
    assert (out / "final.srt").read_text() == (
        "1\n00:00:00,000 --> 00:00:01,000\nAn astronaut\n\n"
        "2\n00:00:01,200 --> 00:00:02,000\nRed\n"  # cut at the end of the video
    )


def test_result_json_records_inputs_outputs_and_argv(rendered, workspace):
    out, result = rendered
    on_disk = _convert(RenderResult, json.loads((out / "result.json").read_text()))
    assert on_disk == result
    for item in result.inputs:
        assert item.sha256 == sha256_file(workspace / item.path)
    assert [i.role for i in result.inputs] == ["image", "image", "audio"]
    for item in result.outputs:
        assert item.sha256 == sha256_file(out / item.path)
    assert [o.path for o in result.outputs] == ["final.mp4", "final.srt"]
    assert result.argv[0] == "ffmpeg" and "-threads" in result.argv and "+bitexact" in result.argv
    assert not any(arg.startswith(str(workspace)) for arg in result.argv if "file:" in arg)  # relative paths
    assert (out / "ffmpeg.log").is_file()


def test_render_is_byte_identical_twice(rendered, workspace):
    out, first = rendered
    second = render(make_job(), workspace, workspace / "out" / "again")
    assert second.outputs[0].sha256 == first.outputs[0].sha256


def test_clip_input_and_no_audio(workspace):
    job = make_job(
        visuals=[{"kind": "clip", "path": "assets/bars.mp4", "start": 1.0}, {"kind": "clip", "path": "assets/bars.mp4", "duration": 0.4}],
        audio=None,
        captions=[],
    )  # fmt: skip
    out = workspace / "out" / "clips"
    (out).mkdir(parents=True, exist_ok=True)
    (out / "final.srt").write_text("stale")
    result = render(job, workspace, out)
    streams = stream_facts(out / "final.mp4")
    assert int(streams["video"]["nb_read_frames"]) == result.frames == 50 + 10
    assert "audio" not in streams and result.audio_duration_s is None
    assert not (out / "final.srt").exists()


@pytest.mark.parametrize("bad", ["../outside.png", "/etc/hostname", "assets/missing.png"])
def test_bad_input_path_is_refused(workspace, tmp_path, bad):
    job = make_job(visuals=[{"kind": "image", "path": bad, "duration": 1}], captions=[])
    with pytest.raises(RunnerError):
        render(job, workspace, tmp_path / "out")
    assert not (tmp_path / "out" / "final.mp4").exists()


def test_failing_ffmpeg_reports_its_last_line(workspace, tmp_path):
    (workspace / "assets" / "broken.png").write_text("not an image")
    job = make_job(visuals=[{"kind": "image", "path": "assets/broken.png", "duration": 1}], captions=[])
    with pytest.raises(RunnerError) as info:
        render(job, workspace, tmp_path / "out")
    assert "ffmpeg render failed" in info.value.message
    assert "Invalid PNG signature" in info.value.message  # the cause, not "Conversion failed!"
    assert (tmp_path / "out" / "ffmpeg.log").is_file()
    assert not (tmp_path / "out" / "final.mp4").exists()


def test_job_model_refuses_partial_frames_and_extra_keys():
    with pytest.raises(ValueError, match="frames"):
        make_job(visuals=[{"kind": "image", "path": "a.png", "duration": 0.03}])
    with pytest.raises(ValueError, match="unknown field `colour`"):
        make_job(colour="blue")


def test_load_job_names_the_file_and_field(tmp_path):
    path = tmp_path / "bad.job.json"
    path.write_text(json.dumps({"job_id": "x", "visuals": [], "output": {"width": 2, "height": 2, "fps": 1}}))
    with pytest.raises(ContractError, match=r"bad\.job\.json: \$\.visuals"):
        load_job(path)
    good = tmp_path / "good.job.json"
    good.write_text(msgspec.json.encode(make_job()).decode())
    assert load_job(good) == make_job()


def test_missing_ffmpeg_is_tool_missing(workspace, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    tools.binary.cache_clear()
    try:
        with pytest.raises(ToolMissing, match="ffmpeg"):
            render(make_job(), workspace, tmp_path / "out")
    finally:
        tools.binary.cache_clear()


def test_import_stays_light():
    code = "import sys, runner.media; print(sorted({'ffmpeg', 'mediapipe', 'numpy', 'skimage'} & set(sys.modules)))"
    out = subprocess.run([__import__("sys").executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_caption_after_the_end_is_refused(workspace, tmp_path):
    job = make_job(captions=[{"start": 9, "end": 10, "text": "late"}])
    with pytest.raises(RunnerError, match="after the end"):
        render(job, workspace, tmp_path / "out")


def test_the_reported_line_skips_timing_warnings():
    """Under load ffmpeg may warn about its thread queue after the real error."""
    from runner.media.tools import last_line

    text = ("[png @ 0x1] Invalid PNG signature 0x6E6F7420616E2069.\n"
            "[image2 @ 0x5] Thread message queue blocking; consider raising the thread_queue_size option\n"
            "Conversion failed!\n")
    assert last_line(text) == "[png @ 0x1] Invalid PNG signature 0x6E6F7420616E2069."


def _convert(kind, data):
    return msgspec.convert(data, kind)

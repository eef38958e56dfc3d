"""QC on generated clips, with real ffmpeg and real mediapipe."""

from __future__ import annotations

import sys

import pytest

from runner.errors import RunnerError, ToolMissing
from runner.media import decide, default_policy, qc
from runner.media.pose import load_mediapipe


def status(report, rule_id: str) -> str:
    return next(r.status for r in report.results if r.rule_id == rule_id)


def test_good_clip_passes_everything(reports):
    report = reports["good"]
    m = report.metrics
    assert m.duration_s == pytest.approx(6.0, abs=0.1)
    assert m.fps == pytest.approx(25.0)
    assert (m.width, m.height) == (640, 360)
    assert (report.video_codec, report.audio_codec) == ("h264", "aac")
    assert m.audio_present == 1.0
    assert -24 < m.loudness_lufs < -18  # a sine at 1/8 full scale: about -21.8 LUFS
    assert m.black_ratio == 0.0 and m.frozen_ratio == 0.0
    assert m.pose_detection_ratio > 0.8
    assert m.frames_sampled == 30  # 6 s at 5 fps
    assert report.passed, [r for r in report.results if r.status != "PASS"]
    assert decide(report, default_policy(), 0).action == "finalize"
    assert set(report.stage_seconds) == {"probe", "hash", "pose_init", "analysis", "pose", "loop_seam", "total",
                                         "metric_identity_consistency", "metric_costume_fidelity",
                                         "metric_mask_edge_bleed", "metric_temporal_stability",
                                         "metric_background_stability"}


def test_half_blank_frames_halve_the_pose_ratio(reports):
    assert 0.4 <= reports["half_blank"].metrics.pose_detection_ratio <= 0.6
    assert reports["half_blank"].metrics.black_ratio == 0.0  # grey, not black


def test_loop_seam_compares_last_frame_to_first(reports):
    assert reports["frozen"].metrics.loop_seam > 0.95  # the same photo from start to end
    assert reports["half_blank"].metrics.loop_seam < 0.3  # the photo, then grey noise


@pytest.mark.parametrize(
    "clip, rule_id, metric, expected",
    [
        ("black", "black_ratio_max", "black_ratio", 1.0),
        ("frozen", "frozen_ratio_max", "frozen_ratio", 1.0),
        ("short", "min_duration", "duration_s", 1.0),
    ],
)
def test_defective_clip_fails_its_metric(reports, clip, rule_id, metric, expected):
    report = reports[clip]
    assert getattr(report.metrics, metric) == pytest.approx(expected, abs=0.05)
    assert status(report, rule_id) == "HARD_FAIL"
    assert not report.passed
    decision = decide(report, default_policy(), 0)
    assert decision.action == "retry" and rule_id in decision.failed_rules
    assert decision.retry_stages == ["generate"]


def test_black_clip_has_no_pose(reports):
    assert reports["black"].metrics.pose_detection_ratio == 0.0


def test_silent_clip_fails_loudness(reports):
    report = reports["silent"]
    assert report.metrics.audio_present == 1.0
    assert report.metrics.loudness_lufs <= -60
    assert status(report, "loudness_min") == "HARD_FAIL"
    assert status(report, "loudness_max") == "PASS"
    decision = decide(report, default_policy(), 0)
    assert (decision.action, decision.failed_rules, decision.retry_stages) == ("retry", ["loudness_min"], ["audio"])
    spent = decide(report, default_policy(), 2)
    assert spent.action == "escalate"
    assert spent.user_action_required.reason == "retry_budget_exceeded"
    assert spent.user_action_required.metric == "loudness_lufs"


def test_clip_without_audio(workspace):
    report = qc(workspace / "assets" / "bars.mp4", default_policy(), base=workspace)
    assert report.video == "assets/bars.mp4"
    assert report.metrics.audio_present == 0.0 and report.metrics.loudness_lufs is None
    assert status(report, "audio_present") == "HARD_FAIL"
    assert status(report, "loudness_min") == "UNKNOWN"  # its on_unknown is finalize: audio_present decides
    assert report.metrics.pose_detection_ratio < 0.2  # colour bars (mediapipe may see a rare ghost)


def test_not_a_video_is_a_runner_error(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("hello")
    with pytest.raises(RunnerError, match="cannot read media file"):
        qc(path, default_policy())


def test_missing_mediapipe_is_tool_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "mediapipe", None)  # makes `import mediapipe` fail
    with pytest.raises(ToolMissing) as info:
        load_mediapipe()
    assert "pip install -e '.[media]'" in str(info.value)


def test_mediapipe_native_logging_stays_off_the_terminal(workspace):
    """mediapipe's C++ warnings (absl, TensorFlow Lite) go to descriptor 2 whatever the
    environment says: QC keeps them out of the user's stderr, which works again after."""
    import subprocess

    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from runner.media import default_policy, qc\n"
        "qc(Path(sys.argv[1]), default_policy())\n"
        "print('after QC', file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(workspace / "assets" / "bars.mp4")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "after QC\n"

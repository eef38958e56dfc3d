"""The A/V offset estimator on ffmpeg's log lines, and the score rules, without video."""

from __future__ import annotations

import pytest

from runner.media.metrics import edges, stability, sync

EVENTS = [0.52, 1.32, 1.72, 2.92, 3.44]  # on frame boundaries at 25 fps


def log(delay: float, seconds: float = 4.0, fps: int = 25) -> str:
    """Lines as ffmpeg's metadata and ametadata filters print them: a picture change at
    each event's start and end, and an audio level that jumps `delay` s later."""
    lines = []
    for frame in range(int(seconds * fps)):
        t = frame / fps
        change = 30.0 if any(frame in (round(e * fps), round(e * fps) + 3) for e in EVENTS) else 0.0
        lines += [f"[Parsed_metadata_3 @ 0x1] frame:{frame} pts:{frame} pts_time:{t:g}",
                  f"[Parsed_metadata_3 @ 0x1] lavfi.scd.mafd={change:.3f}"]
    for step in range(int(seconds * 100)):
        t = step / 100
        loud = any(e + delay <= t < e + delay + 0.12 for e in EVENTS)
        lines += [f"[Parsed_ametadata_8 @ 0x2] frame:{step} pts:{step * 80} pts_time:{t:g}",
                  f"[Parsed_ametadata_8 @ 0x2] lavfi.astats.Overall.RMS_level={-12.0 if loud else float('-inf')}"]
    return "\n".join(lines)


@pytest.mark.parametrize("delay", [0.0, 0.3, -0.2])
def test_offset_found_within_a_frame(delay):
    found, correlation = sync.offset(log(delay))
    assert found == pytest.approx(delay, abs=0.02)
    assert correlation > 0.5


def test_no_audio_events_no_offset():
    text = "\n".join(line for line in log(0.0).splitlines() if "ametadata" not in line)
    assert sync.offset(text) == (None, 0.0)


def test_audio_video_score_rules():
    assert sync.score(False, 6.0, 6.0, 25.0, 0.0) == 0.0
    assert sync.score(True, 6.0, 6.02, 25.0, None) == 1.0  # durations agree, offset unmeasured
    assert sync.score(True, 6.0, 6.0, 25.0, 0.04) == 1.0  # within the detectability threshold
    assert sync.score(True, 6.0, 6.0, 25.0, 0.3) < 0.5
    assert sync.score(True, 6.0, 4.0, 25.0, 0.0) == 0.0  # two seconds of audio missing


def test_tolerances_then_linear():
    assert edges.score(0.1) == 1.0 and edges.score(0.5) == 0.0 and 0.4 < edges.score(0.32) < 0.6
    assert stability.background_pair(2.0) == 1.0 and stability.background_pair(40.0) == 0.0
    assert stability.temporal_pair(0.9, None) == 0.9
    assert stability.temporal_pair(0.9, 0.5) == 0.9 and stability.temporal_pair(0.9, 9.0) < 0.2


def test_one_decoding_pass_carries_the_envelopes():
    from pathlib import Path

    from runner.media.probe import MediaInfo
    from runner.media.qc_metrics import analysis_argv

    info = MediaInfo(6.0, 25.0, 640, 360, "h264", "aac", 6.0, 6.0, 128000)
    argv = analysis_argv(Path("clip.mp4"), info, 5.0, (256, 144))
    graph = argv[argv.index("-filter_complex") + 1]
    assert argv.count("-i") == 1  # one ffmpeg process, one decode
    assert sync.VIDEO_CHAIN in graph and sync.AUDIO_CHAIN in graph and "ebur128" in graph
    silent = analysis_argv(Path("clip.mp4"), MediaInfo(6.0, 25.0, 640, 360, "h264", None, 6.0, None, None), 5.0,
                           (256, 144))
    assert sync.AUDIO_CHAIN not in silent[silent.index("-filter_complex") + 1]

"""QC of a video: measure it for real, then score it against a policy.

Stages (their wall times go in the report): `probe` (ffprobe), `hash`, `analysis` (one
ffmpeg pass: ebur128, blackdetect, freezedetect, and the sampled frames), `pose`
(mediapipe on the sampled frames, after `pose_init`, on worker threads while ffmpeg decodes, so it
overlaps `analysis`), `loop_seam`, and `total`."""

from __future__ import annotations

import time
from pathlib import Path

from runner.errors import RunnerError
from runner.hashing import sha256_file
from runner.media import qc_metrics as m
from runner.media.policy import evaluate
from runner.media.pose import PosePool
from runner.media.probe import media_info
from runner.models.media import QcMetrics, QcPolicy, QcReport
from runner.paths import relative


def qc(video: Path, policy: QcPolicy, sample_fps: float = 5.0, *, base: Path | None = None) -> QcReport:
    """Measure `video` and score it against `policy`. The report names the video
    relative to `base` (the workspace root) when given, else by its file name."""
    video = Path(video)
    if sample_fps <= 0:
        raise RunnerError(f"sample_fps must be positive, not {sample_fps}")
    stages: dict[str, float] = {}
    start = time.perf_counter()
    info = media_info(video)
    stages["probe"] = time.perf_counter() - start
    if info.width is None or info.height is None:
        raise RunnerError(f"{video} has no video stream")

    mark = time.perf_counter()
    digest = sha256_file(video)
    stages["hash"] = time.perf_counter() - mark

    mark = time.perf_counter()
    pool = PosePool()  # loads mediapipe first: a missing package fails before the long pass
    stages["pose_init"] = time.perf_counter() - mark
    size = m.sample_size(info.width, info.height)
    ends: dict[str, object] = {}
    pose_start: list[float] = []

    def on_frame(index: int, frame) -> None:
        if index == 0:
            ends["first"] = frame
            pose_start.append(time.perf_counter())
        ends["last"] = frame
        pool.submit(index, frame)

    mark = time.perf_counter()
    try:
        stderr = m.run_analysis(m.analysis_argv(video, info, sample_fps, size), size, on_frame)
    finally:
        detections = pool.close()
    done = time.perf_counter()
    stages["analysis"] = done - mark
    stages["pose"] = done - (pose_start[0] if pose_start else done)

    mark = time.perf_counter()
    seam = m.loop_seam(ends["first"], ends["last"]) if len(detections) > 1 else None
    stages["loop_seam"] = time.perf_counter() - mark

    duration = info.duration_s
    metrics = QcMetrics(
        duration_s=duration,
        fps=info.fps,
        width=info.width,
        height=info.height,
        audio_present=0.0 if info.audio_codec is None else 1.0,
        loudness_lufs=m.loudness(stderr) if info.audio_codec is not None else None,
        black_ratio=m.ratio(m.black_seconds(stderr, duration or 0.0), duration),
        frozen_ratio=m.ratio(m.frozen_seconds(stderr, duration or 0.0), duration),
        loop_seam=seam,
        pose_detection_ratio=sum(detections) / len(detections) if detections else None,
        frames_sampled=len(detections),
    )
    results = evaluate(metrics, policy)
    stages["total"] = time.perf_counter() - start
    return QcReport(
        video=relative(base, video) if base is not None else video.name,
        video_sha256=digest,
        policy_id=policy.policy_id,
        sample_fps=sample_fps,
        video_codec=info.video_codec,
        audio_codec=info.audio_codec,
        metrics=metrics,
        results=results,
        passed=all(r.status == "PASS" for r in results),
        stage_seconds={k: round(v, 4) for k, v in stages.items()},
    )

"""QC of a video: measure it for real, then score it against a policy.

Stages (their wall times go in the report): `probe` (ffprobe), `hash`, `analysis` (one
ffmpeg pass: ebur128, blackdetect, freezedetect, and the sampled frames), `pose`
(mediapipe on the sampled frames, after `pose_init`, on worker threads while ffmpeg decodes, so it
overlaps `analysis`), `loop_seam`, and `total`; `reference` (the reference image measured) and
`metric_<name>`: the time of each of the factory's metrics (docs/qc-metrics.md), measured on the
same sampled frames and pose results as they arrive, inside `analysis`."""

from __future__ import annotations

import time
from pathlib import Path

from runner.errors import RunnerError
from runner.hashing import sha256_file
from runner.media import qc_metrics as m
from runner.media.metrics import basis
from runner.media.metrics import sync as av
from runner.media.metrics.collect import Collector
from runner.media.policy import evaluate
from runner.media.pose import PosePool
from runner.media.probe import media_info
from runner.models.qc import QcMetrics, QcPolicy, QcReport
from runner.paths import relative


def qc(video: Path, policy: QcPolicy, sample_fps: float = 5.0, *, base: Path | None = None,
       reference: Path | None = None) -> QcReport:
    """Measure `video` and score it against `policy`. The report names the video (and
    the `reference` image the subject is compared with) relative to `base` (the workspace
    root) when given, else by its file name."""
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
    size = m.sample_size(info.width, info.height)
    ref = None
    if reference is not None:
        from runner.media.metrics.reference import measure_reference

        ref = measure_reference(reference, relative(base, reference) if base else Path(reference).name, max(size))
        stages["reference"] = time.perf_counter() - mark
        mark = time.perf_counter()
    collector = Collector(ref, round((info.duration_s or 0.0) * sample_fps))
    pool = PosePool(on_result=collector.result)  # loads mediapipe first: a missing package fails early
    stages["pose_init"] = time.perf_counter() - mark
    ends: dict[str, object] = {}
    pose_start: list[float] = []

    def on_frame(index: int, frame) -> None:
        if index == 0:
            ends["first"] = frame
            pose_start.append(time.perf_counter())
        ends["last"] = frame
        collector.frame(index, frame)
        pool.submit(index, frame)
        collector.drain()

    mark = time.perf_counter()
    try:
        stderr = m.run_analysis(m.analysis_argv(video, info, sample_fps, size), size, on_frame)
    finally:
        detections = pool.close()
    collector.drain()
    done = time.perf_counter()
    stages["analysis"] = done - mark
    stages["pose"] = done - (pose_start[0] if pose_start else done)

    mark = time.perf_counter()
    seam = m.loop_seam(ends["first"], ends["last"]) if len(detections) > 1 else None
    stages["loop_seam"] = time.perf_counter() - mark

    duration = info.duration_s
    offset, _ = av.offset(stderr)
    has_audio = info.audio_codec is not None
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
        **collector.values(),
        audio_video=av.score(has_audio, info.video_duration_s, info.audio_duration_s, info.fps, offset),
        av_sync_sec=offset if has_audio else None,
    )
    stages.update({f"metric_{k}": v for k, v in sorted(collector.scores.seconds.items())})
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
        reference=ref.rel if ref else None,
        reference_sha256=ref.sha256 if ref else None,
        metric_basis=basis(ref.rel if ref else None),
    )

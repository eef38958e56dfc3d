"""Time of `runner.media.qc()` on a 60 s 720p clip with the default sampling (a report,
not a test: it always exits 0).

    .venv/bin/python benchmarks/bench_qc.py [--repeat 1] [--seconds 60]

The clip: colour bars at 1280x720, 30 fps, with scikit-image's astronaut photo swaying
over them (a person in every frame), a tone, H.264 veryfast crf 23. Printed: the total
time and each stage of qc() (analysis and pose overlap: pose runs on worker threads while
ffmpeg decodes), the ffmpeg pass alone, and mediapipe's time per frame on one thread.
Goal: <= 15 s on 2 cores. Wall and CPU (self + children) are both printed."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO
from common import cpu_total as cpu

sys.path.insert(0, str(REPO))

from runner.media import (  # noqa: E402
    default_policy,
    qc,
    qc_metrics,  # noqa: E402
)
from runner.media.pose import PosePool  # noqa: E402
from runner.media.probe import media_info  # noqa: E402


def make_clip(root: Path, seconds: int) -> Path:
    from skimage import data, io

    photo, clip = root / "astronaut.png", root / "clip.mp4"
    io.imsave(photo, data.astronaut(), check_contrast=False)
    subprocess.run([
        "ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", f"testsrc2=s=1280x720:r=30:d={seconds}",
        "-loop", "1", "-framerate", "30", "-i", str(photo), "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
        "-filter_complex", "[1:v]scale=-2:600[p];[0:v][p]overlay=x='380+200*sin(t)':y=60:shortest=1,format=yuv420p[v]",
        "-map", "[v]", "-map", "2:a", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-c:a", "aac",
        "-t", str(seconds), str(clip),
    ], check=True)  # fmt: skip
    return clip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-qc-"))
    try:
        clip = make_clip(root, args.seconds)
        print(f"clip: {args.seconds} s 1280x720 30 fps, {clip.stat().st_size / 1e6:.1f} MB; "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
        policy, walls, cpus = default_policy(), [], []
        for _ in range(args.repeat):
            wall, used = time.perf_counter(), cpu()
            report = qc(clip, policy)
            walls.append(time.perf_counter() - wall)
            cpus.append(cpu() - used)
            stages = "  ".join(f"{k} {v:.2f}" for k, v in report.stage_seconds.items())
            print(f"qc: wall {walls[-1]:.2f} s, cpu {cpus[-1]:.2f} s; stages (s): {stages}")
        m = report.metrics
        print(f"metrics: pose {m.pose_detection_ratio:.2f} over {m.frames_sampled} frames, loudness "
              f"{m.loudness_lufs} LUFS, black {m.black_ratio}, frozen {m.frozen_ratio}, loop seam {m.loop_seam:.2f}")
        verdict = "meets" if statistics.median(walls) <= 15 else "misses"
        print(f"median qc wall {statistics.median(walls):.2f} s (goal <= 15 s: {verdict})")

        # The ffmpeg pass alone (frames read and dropped), and mediapipe alone on one thread.
        info = media_info(clip)
        size = qc_metrics.sample_size(info.width, info.height)
        frames: list = []
        wall, used = time.perf_counter(), cpu()
        qc_metrics.run_analysis(qc_metrics.analysis_argv(clip, info, 5.0, size), size,
                                lambda i, f: frames.append(f) if i < 60 else None)
        print(f"ffmpeg pass alone: wall {time.perf_counter() - wall:.2f} s, cpu {cpu() - used:.2f} s")
        pool = PosePool(workers=1)
        pool.submit(0, frames[0])  # warm-up
        pool.close()
        pool = PosePool(workers=1)
        wall = time.perf_counter()
        for i, frame in enumerate(frames):
            pool.submit(i, frame)
        pool.close()
        per = (time.perf_counter() - wall) / len(frames)
        print(f"mediapipe pose, one thread: {per * 1000:.1f} ms per {size[0]}x{size[1]} frame ({len(frames)} frames)")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

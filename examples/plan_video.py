"""Stand-in for a video planner: writes the demo's inputs and render jobs.

    python examples/plan_video.py OUT_DIR

Writes OUT_DIR/assets/ (a photograph of a person from scikit-image, a slow pan over it
rendered with ffmpeg, a music-like tone) and two render jobs in OUT_DIR/plan/: the first
forgets the sound track (QC will catch it), the second is the repaired job a retry uses.
Job paths are relative to the workspace root (the current directory)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def main() -> None:
    out = Path(sys.argv[1])
    assets, plan = out / "assets", out / "plan"
    assets.mkdir(parents=True, exist_ok=True)
    plan.mkdir(parents=True, exist_ok=True)
    photo = assets / "astronaut.png"
    from skimage import data, io  # ships the photograph: no download

    io.imsave(photo, data.astronaut(), check_contrast=False)
    pan, tone = assets / "pan.mp4", assets / "tone.wav"
    ffmpeg("-loop", "1", "-i", str(photo), "-vf",
           "scale=1024:1024,zoompan=z='1.0+0.002*on':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=150:s=640x640:fps=25,"
           "format=yuv420p", "-frames:v", "150", "-c:v", "libx264", "-preset", "veryfast", str(pan))
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=330:duration=6:sample_rate=48000", "-f", "lavfi",
           "-i", "sine=frequency=495:duration=6:sample_rate=48000", "-filter_complex",
           "amix=inputs=2,volume=4", "-c:a", "pcm_s16le", str(tone))
    visuals = [{"kind": "clip", "path": str(pan), "duration": 6.0}]
    output = {"width": 640, "height": 640, "fps": 25, "preset": "veryfast", "crf": 23}
    silent = {"schema_version": 1, "job_id": "astronaut-v1", "visuals": visuals, "output": output}
    repaired = {**silent, "job_id": "astronaut-v2", "audio": {"path": str(tone)},
                "captions": [{"start": 0.5, "end": 3.0, "text": "One small step"},
                             {"start": 3.0, "end": 5.5, "text": "for a render job"}]}
    for name, job in (("video.job.json", silent), ("video-with-audio.job.json", repaired)):
        (plan / name).write_text(json.dumps(job, indent=2) + "\n")
    print(f"wrote {assets}/ and {plan}/")


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


if __name__ == "__main__":
    main()

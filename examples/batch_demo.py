"""The batch demo, in a temporary git workspace (`make demo-batch`).

    python examples/batch_demo.py [ITEMS]

Plans a batch of ITEMS (default 6) short videos of the video workflow's first three
gates (plan, render with ffmpeg, QC with ffprobe and mediapipe: the first render
forgets the sound track, so QC routes a retry of the render), dispatches it on the
local executor (a pool of 2 processes that work in scratch directories; this process
alone records), shows its status, and ends with `runner batch verify`."""

from __future__ import annotations

import json
import sys

from demo import runner, sh, workspace


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    root = workspace()
    video = json.loads((root / "orchestration/workflows/video.json").read_text())
    gates = [g for g in video["gates"] if g["gate"] in ("PLAN", "RENDER", "QC")]
    gates[0]["command"] = [sys.executable, *gates[0]["command"][1:]]  # this interpreter: it has scikit-image
    batch_wf = {"workflow": "video-batch", "version": "1", "description": "plan, render, QC", "gates": gates}
    (root / "orchestration/workflows/video-batch.json").write_text(json.dumps(batch_wf, indent=2) + "\n")
    (root / "items.csv").write_text("id,title\n" + "".join(f"clip{k},Clip {k}\n" for k in range(1, count + 1)))
    runner("init", cwd=root)
    sh("git", "add", "-A", cwd=root)
    sh("git", "commit", "-q", "-m", "studio: workflows, contracts, items", cwd=root)
    batch = runner("batch", "plan", "--workflow", "video-batch", "--params", "items.csv", cwd=root).strip()
    runner("batch", "dispatch", batch, "--executor", "local", "--slots", "2", cwd=root)
    runner("batch", "status", batch, cwd=root)
    runner("batch", "verify", batch, cwd=root)
    sh("git", "log", "--oneline", "-8", cwd=root)
    print(f"\nthe workspace is left in {root}")


if __name__ == "__main__":
    main()

"""Stand-in for a publishing step: copies the approved video and its captions to
OUT_DIR/dist/ with a manifest of their SHA-256.

    python examples/publish_video.py ARTIFACT_DIR"""

import hashlib
import json
import shutil
import sys
from pathlib import Path


def main() -> None:
    base = Path(sys.argv[1])
    dist = base / "dist"
    dist.mkdir(exist_ok=True)
    files = {}
    for name in ("final.mp4", "final.srt"):
        source = base / "render" / name
        if source.exists():
            shutil.copyfile(source, dist / name)
            files[name] = hashlib.sha256((dist / name).read_bytes()).hexdigest()
    (dist / "manifest.json").write_text(json.dumps({"files": files}, indent=2, sort_keys=True) + "\n")
    print(f"published {', '.join(files)} to {dist}")


if __name__ == "__main__":
    main()

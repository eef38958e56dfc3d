"""`level_adjust`: change the audio level of a media output by some dB (runner[media]).

Like the other patch types it returns the new bytes without touching the output: the
level is changed on a private copy with ffmpeg (bit-exact flags, so the same patch on
the same bytes gives the same bytes again, as resuming checks)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from runner.errors import RunnerError, ToolMissing
from runner.models.patch import LevelAdjust
from runner.patches.base import PatchError


def level_adjust(spec: LevelAdjust, data: bytes, rel: str) -> bytes:
    try:
        from runner.media.audio import level_adjust as adjust
    except ImportError:
        raise PatchError("level_adjust needs the media extra", "install it: pip install -e '.[media]' in the runner checkout") from None
    with tempfile.TemporaryDirectory(prefix="runner-level-") as tmp:
        copy = Path(tmp) / f"media{Path(rel).suffix}"
        copy.write_bytes(data)
        try:
            adjust(copy, spec.level_change_db)
        except ToolMissing:
            raise
        except RunnerError as exc:
            raise PatchError(f"level_adjust on {rel}: {exc.message}", exc.hint) from None
        return copy.read_bytes()

"""Audio: measure the integrated loudness of a file, and change its level in place."""

from __future__ import annotations

import os
from pathlib import Path

from runner.errors import RunnerError
from runner.jsonio import fsync_dir, fsync_path
from runner.media.probe import media_info
from runner.media.qc_metrics import loudness
from runner.media.tools import binary, run_captured

# The encoder that writes the same codec back (the video is copied, never re-encoded).
ENCODERS = {
    "aac": "aac",
    "mp3": "libmp3lame",
    "opus": "libopus",
    "vorbis": "libvorbis",
    "flac": "flac",
    "pcm_s16le": "pcm_s16le",
    "pcm_s24le": "pcm_s24le",
    "pcm_f32le": "pcm_f32le",
}


def measure_loudness(path: Path) -> float | None:
    """Integrated loudness (EBU R128, LUFS) of the first audio stream; None without one."""
    if media_info(path).audio_codec is None:
        return None
    argv = [
        binary("ffmpeg"), "-hide_banner", "-nostdin", "-nostats", "-i", f"file:{path}",
        "-map", "0:a:0", "-af", "ebur128=framelog=verbose", "-f", "null", "-",
    ]  # fmt: skip
    return loudness(run_captured(argv, what="ffmpeg loudness"))


def level_adjust(path: Path, db: float) -> None:
    """Change the level of every audio stream of `path` by `db` decibels (a gain, no
    limiter: a boost can clip peaks). Video and other streams are copied; the audio is
    re-encoded with its own codec and bit rate. The file is replaced atomically."""
    path = Path(path)
    info = media_info(path)
    if info.audio_codec is None:
        raise RunnerError(f"{path} has no audio stream to adjust")
    encoder = ENCODERS.get(info.audio_codec)
    if encoder is None:
        raise RunnerError(f"cannot re-encode {info.audio_codec} audio in {path}", f"supported: {', '.join(ENCODERS)}")
    partial = path.with_name(f".{path.stem}.level{path.suffix}")  # the suffix picks the muxer
    argv = [
        binary("ffmpeg"), "-hide_banner", "-nostdin", "-nostats", "-y", "-i", f"file:{path}",
        "-map", "0", "-c", "copy", "-af", f"volume={db:+g}dB", "-c:a", encoder,
        "-fflags", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "0",
    ]  # fmt: skip
    if info.audio_bit_rate and not encoder.startswith(("pcm_", "flac")):
        argv += ["-b:a", str(info.audio_bit_rate)]
    argv.append(f"file:{partial}")
    try:
        run_captured(argv, what="ffmpeg level adjust")
        fsync_path(partial)
        os.replace(partial, path)
        fsync_dir(path.parent)
    finally:
        partial.unlink(missing_ok=True)

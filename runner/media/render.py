"""Render a job with ffmpeg: each visual scaled and padded to the output size with an
exact frame count, concatenated, the audio track trimmed or padded to the video, and
encoded with bit-exact settings so the same job and inputs give the same bytes.

Outputs, each written under a temporary name and renamed: `final.mp4`, `final.srt`
(when the job has captions), `result.json` (a RenderResult), and `ffmpeg.log`."""

from __future__ import annotations

import os
from pathlib import Path

from runner.hashing import sha256_bytes, sha256_file
from runner.jsonio import canonical_bytes, fsync_dir, fsync_path, write_atomic
from runner.media.job import Segment, resolve_input, segments, srt
from runner.media.probe import media_info
from runner.media.tools import binary, ffmpeg_version, run_logged
from runner.models.base import to_data
from runner.models.media import InputRecord, OutputRecord, RenderJob, RenderResult

PARTIAL = ".final.mp4.part"  # a fixed name, so the argv (and result.json) are reproducible


def _visual_stream(ffmpeg, seg: Segment, spec):
    if seg.kind == "image":
        # `t` bounds the loop (one frame to spare; trim makes the count exact): without it
        # an image that does not decode loops forever.
        bound = f"{(seg.frames + 1) / spec.fps:.6f}"
        stream = ffmpeg.input(
            f"file:{seg.rel}", f="image2", loop=1, framerate=spec.fps, pattern_type="none", t=bound
        ).video
    else:
        options = {"ss": f"{seg.start:g}"} if seg.start else {}
        if seg.loop:  # read again from the start, bounded as an image is
            options.update(stream_loop=-1, t=f"{(seg.frames + 1) / spec.fps:.6f}")
        stream = ffmpeg.input(f"file:{seg.rel}", **options).video.filter("fps", fps=spec.fps)
    return (
        stream.filter("trim", end_frame=seg.frames)
        .filter("setpts", "PTS-STARTPTS")
        .filter("scale", spec.width, spec.height, force_original_aspect_ratio="decrease")
        .filter("pad", spec.width, spec.height, "(ow-iw)/2", "(oh-ih)/2", color="black")
        .filter("setsar", 1)
    )


def build_argv(job: RenderJob, segs: list[Segment], output: str) -> list[str]:
    """The ffmpeg argv, to run in the workspace root (input paths are relative to it)."""
    import ffmpeg  # ffmpeg-python; imported here so `import runner` stays fast

    spec = job.output
    streams = [_visual_stream(ffmpeg, seg, spec) for seg in segs]
    video = streams[0] if len(streams) == 1 else ffmpeg.concat(*streams, v=1, a=0)
    frames = sum(seg.frames for seg in segs)
    maps = [video]
    options = {
        "f": "mp4", "r": spec.fps, "c:v": "libx264", "preset": spec.preset, "crf": spec.crf,
        "pix_fmt": spec.pixel_format, "threads": spec.threads,
        "fflags": "+bitexact", "flags:v": "+bitexact", "map_metadata": -1, "map_chapters": -1,
        "movflags": "+faststart",
    }  # fmt: skip
    if job.audio is not None:
        samples = round(frames * spec.audio_sample_rate / spec.fps)
        audio = (
            ffmpeg.input(f"file:{job.audio.path}")
            .audio.filter("aresample", spec.audio_sample_rate)
            .filter("apad")
            .filter("atrim", end_sample=samples)
        )
        maps.append(audio)
        options.update({"c:a": "aac", "b:a": spec.audio_bitrate, "flags:a": "+bitexact"})
    # -xerror: a decoding error fails the render (an undecodable looped image would
    # otherwise keep ffmpeg waiting for a first frame forever).
    out = ffmpeg.output(*maps, output, **options).global_args("-hide_banner", "-nostdin", "-nostats", "-xerror")
    return out.compile(cmd="ffmpeg", overwrite_output=True)


def _output_arg(base: Path, path: Path) -> str:
    """`path` relative to the workspace root when it is inside it (the usual case)."""
    real_base, real = os.path.realpath(base), os.path.realpath(path)
    if real.startswith(real_base + os.sep):
        return f"file:{os.path.relpath(real, real_base)}"
    return f"file:{real}"



def _hash_inputs(base: Path, used: list[tuple[str, str]]) -> list[InputRecord]:
    hashes: dict[str, str] = {}
    records = []
    for role, rel in used:
        if rel not in hashes:
            hashes[rel] = sha256_file(base / rel)
        records.append(InputRecord(role=role, path=rel, sha256=hashes[rel], bytes=(base / rel).stat().st_size))
    return records


def _clip_duration(path: Path) -> float | None:
    info = media_info(path)
    return info.video_duration_s or info.duration_s


def render(job: RenderJob, base: Path, out_dir: Path) -> RenderResult:
    """Render `job` (input paths relative to the workspace root `base`) into `out_dir`."""
    base, out_dir = Path(base), Path(out_dir)
    binary("ffmpeg")
    segs = segments(job, base, _clip_duration)
    used = [(s.kind, s.rel) for s in segs]
    if job.audio is not None:
        resolve_input(base, job.audio.path, "audio.path")
        used.append(("audio", job.audio.path))
    inputs = _hash_inputs(base, used)
    frames = sum(seg.frames for seg in segs)
    duration = frames / job.output.fps
    captions = srt(job.captions, duration) if job.captions else None

    out_dir.mkdir(parents=True, exist_ok=True)
    partial, final = out_dir / PARTIAL, out_dir / "final.mp4"
    argv = build_argv(job, segs, _output_arg(base, partial))
    try:
        run_logged(argv, out_dir / "ffmpeg.log", cwd=base, what="ffmpeg render")
        fsync_path(partial)
        os.replace(partial, final)
        fsync_dir(out_dir)
    finally:
        partial.unlink(missing_ok=True)

    outputs = [final]
    srt_path = out_dir / "final.srt"
    if captions is not None:
        write_atomic(srt_path, captions)
        outputs.append(srt_path)
    else:
        srt_path.unlink(missing_ok=True)  # a stale one from an earlier job would mislead

    info = media_info(final)
    result = RenderResult(
        job_id=job.job_id,
        job_sha256=sha256_bytes(canonical_bytes(to_data(job))),
        inputs=inputs,
        argv=argv,
        ffmpeg_version=ffmpeg_version(),
        frames=frames,
        duration_s=duration,
        outputs=[OutputRecord(path=p.name, sha256=sha256_file(p), bytes=p.stat().st_size) for p in outputs],
        video_duration_s=info.video_duration_s,
        audio_duration_s=info.audio_duration_s,
    )
    write_atomic(out_dir / "result.json", to_data(result))
    return result

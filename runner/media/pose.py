"""Pose detection with mediapipe, on worker threads (mediapipe releases the GIL while
it runs its graph, so N threads use N cores).

We pin mediapipe==0.10.21 and use the legacy `mp.solutions.pose.Pose` with
`static_image_mode=True, model_complexity=1`: that wheel bundles the complexity-1 model,
so it works offline. Complexities 0 and 2, and the 1.x wheels, download their models at
run time and fail without a network."""

from __future__ import annotations

import os
import queue
import sys
import tempfile
import threading

from runner.errors import ToolMissing

_STOP = object()


def load_mediapipe():
    """The mediapipe module; ToolMissing with the install command when it is absent."""
    try:
        import mediapipe
    except ImportError:
        raise ToolMissing(
            "mediapipe is not installed (needed for pose detection)", "install the media extra: pip install -e '.[media]' in the runner checkout"
        ) from None
    if not hasattr(mediapipe, "solutions"):
        raise ToolMissing(
            f"mediapipe {getattr(mediapipe, '__version__', '?')} has no legacy solutions API",
            "pip install 'mediapipe==0.10.21' (or pip install -e '.[media]' in the runner checkout)",
        )
    return mediapipe


def pose_graph(mp, segmentation: bool = False):
    """The one pose graph QC runs, also for a reference image: with `segmentation`, the
    same graph gives the subject's mask (a few per cent more time)."""
    return mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1, enable_segmentation=segmentation)


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


class PosePool:
    """Feed RGB frames with `submit(index, frame)`; `close()` returns, in frame order,
    whether each frame holds a pose. One mediapipe graph per worker thread. A frame equal
    to the one before it (a still, a frozen run) is not run again: it gets its result."""

    def __init__(self, workers: int | None = None, on_result=None):
        """`on_result(index, result, shape)`, when given, is called on the worker thread
        with mediapipe's result for each frame (the graph then also segments the subject);
        for a frame that repeats the one before, at once with (index, None, None)."""
        self._mp = load_mediapipe()
        self._on_result = on_result
        self._stderr = NativeStderr()  # until close()
        self._queue: queue.Queue = queue.Queue(maxsize=64)
        self._found: dict[int, bool] = {}
        self._same_as: dict[int, int] = {}  # index -> the earlier equal frame it repeats
        self._last: tuple[int, object] | None = None
        self._errors: list[BaseException] = []
        self._threads = [threading.Thread(target=self._work, daemon=True) for _ in range(workers or default_workers())]
        for thread in self._threads:
            thread.start()

    def _work(self) -> None:
        try:
            with pose_graph(self._mp, segmentation=self._on_result is not None) as pose:
                while (item := self._queue.get()) is not _STOP:
                    index, frame = item
                    result = pose.process(frame)
                    self._found[index] = result.pose_landmarks is not None
                    if self._on_result is not None:
                        self._on_result(index, result, frame.shape)
        except BaseException as exc:  # re-raised by close(), in the caller's thread
            self._errors.append(exc)
            while self._queue.get() is not _STOP:  # keep draining so submit() never blocks
                pass

    def submit(self, index: int, frame) -> None:
        if self._last is not None and self._last[1].shape == frame.shape and (self._last[1] == frame).all():
            self._same_as[index] = self._last[0]
            if self._on_result is not None:
                self._on_result(index, None, None)
            return
        self._last = (index, frame)
        self._queue.put((index, frame))

    def close(self) -> list[bool]:
        try:
            for _ in self._threads:
                self._queue.put(_STOP)
            for thread in self._threads:
                thread.join()
        finally:
            self.native_log = self._stderr.restore()
        if self._errors:
            raise self._errors[0]
        for index, source in self._same_as.items():
            self._found[index] = self._found[source]
        return [self._found[i] for i in sorted(self._found)]


class NativeStderr:
    """mediapipe's C++ code (absl, TensorFlow Lite) logs warnings straight to file
    descriptor 2, whatever GLOG_minloglevel or TF_CPP_MIN_LOG_LEVEL say. While a pool
    lives, descriptor 2 goes to a temporary file; `restore()` puts the terminal back and
    returns what was written there (kept as PosePool.native_log)."""

    def __init__(self) -> None:
        sys.stderr.flush()
        self._saved = os.dup(2)
        self._sink = tempfile.TemporaryFile()
        os.dup2(self._sink.fileno(), 2)

    def restore(self) -> str:
        if self._saved is None:
            return ""
        sys.stderr.flush()
        os.dup2(self._saved, 2)
        os.close(self._saved)
        self._saved = None
        self._sink.seek(0)
        text = self._sink.read().decode("utf-8", errors="replace")
        self._sink.close()
        return text

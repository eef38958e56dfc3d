"""What the server does on its own: it watches the branch tip (every record commit moves
it; reading the ref is a small file read, no git process) and tells every open page
(server-sent events, GET /api/v1/events); and on a timer, or soon after a decision, it
calls the front door's tick: expired deadlines applied, runs whose next step needs no
person continued. Deadlines live in the records, so a restart loses nothing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator

from litestar import Litestar, Request, get
from litestar.response import ServerSentEvent, ServerSentEventMessage

from runner.console.access import viewer
from runner.console.context import Console

LOG = logging.getLogger("runner.console")
WATCH_S = 0.2
HEARTBEAT_S = 15.0


class Live:
    def __init__(self, console: Console) -> None:
        self.console = console
        self.subscribers: set[asyncio.Queue] = set()
        self.tip: str | None = None

    async def watch(self) -> None:
        self.tip = self.console.repo().tip()
        while True:
            await asyncio.sleep(WATCH_S)
            try:
                tip = self.console.repo().tip()
            except Exception:  # a ref caught mid-rename: read again next time
                LOG.debug("tip not readable now", exc_info=True)
                continue
            if tip != self.tip:
                self.tip = tip
                for queue in list(self.subscribers):
                    if not queue.full():
                        queue.put_nowait(tip)

    async def tick_forever(self, wake: asyncio.Event) -> None:
        """Tick at start (a deadline may have passed while no server ran), soon after a
        decision, and on the interval when it can do something: the branch moved since
        the last tick (a run may go on) or a deadline in the inbox has passed. A tick
        reads every run: with 10,000 of them, ticking for nothing would keep the server
        busy."""
        interval = self.console.tick_interval_s
        never = object()
        ticked_at: object = never  # the branch tip at the last tick
        while True:
            woken = True
            if ticked_at is not never:
                try:
                    await asyncio.wait_for(wake.wait(), timeout=interval if interval > 0 else None)
                except TimeoutError:
                    woken = False
            wake.clear()
            tip = self.console.repo().tip()
            if woken or tip != ticked_at or await asyncio.to_thread(self._deadline_passed):
                await asyncio.to_thread(self.tick_once)
                ticked_at = tip

    def _deadline_passed(self) -> bool:
        try:
            return self.console.deadline_passed()
        except Exception:  # an unreadable record: let the tick report it
            LOG.exception("the inbox could not be read")
            return True

    def tick_once(self) -> None:
        repo = self.console.repo(actor="timer")
        try:
            repo.tick(resume=True)
        except Exception:  # one bad run must not stop the timers of the others
            LOG.exception("tick failed")


@contextlib.asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[None]:
    """The app's lifespan: the watcher and the timer loop, stopped with the server."""
    console: Console = app.state.console
    live = app.state.live = Live(console)
    wake = asyncio.Event()
    loop = asyncio.get_running_loop()
    console.wake = lambda: loop.call_soon_threadsafe(wake.set)
    tasks = [asyncio.create_task(live.watch()), asyncio.create_task(live.tick_forever(wake))]
    try:
        yield
    finally:
        for queue in list(live.subscribers):
            queue.put_nowait(None)  # end the open event streams
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _stream(live: Live) -> AsyncGenerator[ServerSentEventMessage, None]:
    queue: asyncio.Queue = asyncio.Queue(maxsize=16)
    live.subscribers.add(queue)
    try:
        yield ServerSentEventMessage(event="hello", data=live.tip or "", retry=2000)
        while True:
            try:
                tip = await asyncio.wait_for(queue.get(), timeout=HEARTBEAT_S)
            except TimeoutError:
                yield ServerSentEventMessage(comment="keep-alive")
                continue
            if tip is None:
                return
            yield ServerSentEventMessage(event="commit", data=tip)
    finally:
        live.subscribers.discard(queue)


@get("/events", guards=[viewer], summary="Server-sent events: `commit` (data: the new branch tip) on every record commit")
async def events(request: Request) -> ServerSentEvent:
    return ServerSentEvent(_stream(request.app.state.live))


ROUTES = [events]

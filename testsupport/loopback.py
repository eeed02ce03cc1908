"""The one way the stand-ins run: an aiohttp server on 127.0.0.1 with its own event loop in a
background thread, so the bridge under test talks to it over real HTTP exactly as in
production, and the stand-in's own work never runs on the loop of the bridge being measured.

Subclasses add their routes (`routes`) and, if they need them, work on the server's loop just
before it opens (`on_start`) and before it closes (`on_stop`). `stop()` refuses connections
(open keep-alive ones included) and `start()` again listens on the same port.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Optional

from aiohttp import web


class LoopbackServer:
    def __init__(self) -> None:
        self.port = 0
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._runner: Optional[web.AppRunner] = None
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def on_start(self) -> None:
        """On the server's loop, before it listens."""

    async def on_stop(self) -> None:
        """On the server's loop, before it closes (e.g. wake parked long polls)."""

    def start(self):
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError(f"{type(self).__name__} did not start")
        return self

    def stop(self) -> None:
        """Take the server down: connections are refused until start() again."""
        if self._loop and self._loop.is_running():
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
            self._thread.join(10)
        self._loop = None

    def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(self._start_site())
        ready.set()
        self._loop.run_forever()
        self._loop.close()

    async def _start_site(self) -> None:
        await self.on_start()
        app = web.Application()
        self.routes(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        # reuse_address: start again on the same port right after stop(); backlog: fifty
        # clients connecting at once must not see resets a real server would not give.
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, backlog=512,
                           reuse_address=True)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _shutdown(self) -> None:
        await self.on_stop()
        await self._runner.cleanup()
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        asyncio.get_running_loop().stop()

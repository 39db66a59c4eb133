"""Start an aiohttp app for a test fake: 127.0.0.1 only, a free port, dangling long polls cancelled on cleanup."""
from __future__ import annotations

from aiohttp import web


async def serve_on_loopback(app: web.Application) -> tuple[web.AppRunner, int]:
    """(runner, port). handler_cancellation: a pending long poll must not delay runner.cleanup() (TESTING.md)."""
    runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]

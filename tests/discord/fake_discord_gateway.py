"""A fake Discord gateway (WebSocket) on 127.0.0.1 (port 0) for the adapter tests.

HELLO -> the client heartbeats (ACKed) and IDENTIFYs -> READY + one GUILD_CREATE per guild. Then the test
dispatches events with `await gateway.dispatch("INTERACTION_CREATE", payload)`.
Like real Discord it closes with 4014 (disallowed intents) when IDENTIFY asks for the message content intent
and the application may not have it, and it blanks message content when the session lacks that intent
(except in DMs and in messages that mention the bot). Frames are plain-text JSON (discord.py only
decompresses binary frames).
"""
from __future__ import annotations

import asyncio
import json

from aiohttp import WSMsgType, web

from tests.loopback import serve_on_loopback

from fake_discord_rest import APP_ID, FLAG_MESSAGE_CONTENT_LIMITED, BOT_ID

MESSAGE_CONTENT_INTENT = 1 << 15


class FakeDiscordGateway:
    def __init__(self, *, guilds: list[dict] | None = None, allow_message_content: bool = True,
                 bot_user: dict | None = None):
        self.guilds = guilds or []
        self.allow_message_content = allow_message_content
        self.bot_user = bot_user or {"id": str(BOT_ID), "username": "optout", "discriminator": "0",
                                     "avatar": None, "bot": True}
        self.identifies: list[dict] = []  # IDENTIFY payloads ("d"), token included: tests check it was sent
        self.closes: list[int] = []  # close codes we sent
        self._sockets: list[tuple[web.WebSocketResponse, int]] = []  # (ws, intents of that session)
        self._seq = 0
        self._cond: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def start(self) -> "FakeDiscordGateway":
        self._cond = asyncio.Condition()
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        self._runner, self.port = await serve_on_loopback(app)
        return self

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    async def stop(self) -> None:
        for ws, _ in list(self._sockets):
            await ws.close()
        if self._runner:
            await self._runner.cleanup()

    async def _notify(self) -> None:
        async with self._cond:
            self._cond.notify_all()

    async def wait_ready(self, sessions: int = 1, timeout: float = 3.0) -> None:
        """Wait until `sessions` sessions got READY."""
        async with self._cond:
            await asyncio.wait_for(self._cond.wait_for(lambda: len(self._sockets) >= sessions), timeout)

    async def wait_closed(self, code: int, timeout: float = 3.0) -> None:
        async with self._cond:
            await asyncio.wait_for(self._cond.wait_for(lambda: code in self.closes), timeout)

    async def dispatch(self, event: str, data: dict) -> None:
        """Send an event (op 0) to every live session."""
        if not self._sockets:
            raise AssertionError("no gateway session to dispatch to")
        for ws, intents in list(self._sockets):
            payload = data
            if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE") and not intents & MESSAGE_CONTENT_INTENT:
                payload = self._without_content(data)
            await self._send(ws, {"op": 0, "t": event, "d": payload})

    def _without_content(self, msg: dict) -> dict:
        dm = "guild_id" not in msg
        mentioned = any(str(u.get("id")) == str(self.bot_user["id"]) for u in msg.get("mentions", []))
        if dm or mentioned:
            return msg
        return {**msg, "content": "", "embeds": [], "attachments": [], "components": []}

    async def _send(self, ws: web.WebSocketResponse, payload: dict) -> None:
        if payload.get("op") == 0:
            self._seq += 1
            payload["s"] = self._seq
        await ws.send_str(json.dumps(payload))

    async def _handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        entry = None
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                op = frame.get("op")
                if op == 1:
                    await ws.send_str(json.dumps({"op": 11}))
                elif op == 2:
                    d = frame["d"]
                    self.identifies.append(d)
                    intents = int(d.get("intents", 0))
                    if intents & MESSAGE_CONTENT_INTENT and not self.allow_message_content:
                        self.closes.append(4014)
                        await self._notify()
                        await ws.close(code=4014, message=b"Disallowed intent(s).")
                        break
                    await self._ready(ws, d)
                    entry = (ws, intents)
                    self._sockets.append(entry)
                    await self._notify()
        finally:
            if entry in self._sockets:
                self._sockets.remove(entry)
        return ws

    async def _ready(self, ws: web.WebSocketResponse, identify: dict) -> None:
        flags = FLAG_MESSAGE_CONTENT_LIMITED if self.allow_message_content else 0
        ready = {
            "v": 10, "user": self.bot_user, "session_id": f"session-{len(self.identifies)}",
            "resume_gateway_url": self.url, "guilds": [{"id": g["id"], "unavailable": True} for g in self.guilds],
            "application": {"id": str(APP_ID), "flags": flags},
        }
        if identify.get("shard"):
            ready["shard"] = identify["shard"]
        await self._send(ws, {"op": 0, "t": "READY", "d": ready})
        shard = identify.get("shard") or [0, 1]
        for g in self.guilds:
            if (int(g["id"]) >> 22) % shard[1] == shard[0]:
                await self._send(ws, {"op": 0, "t": "GUILD_CREATE", "d": g})

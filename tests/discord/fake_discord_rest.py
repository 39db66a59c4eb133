"""A fake Discord REST API on 127.0.0.1 (port 0) for the adapter tests.

It records every request, answers the endpoints discord.py needs (login, command sync, interaction callbacks,
followups, channel messages) with realistic JSON, mints message ids, and can inject errors
(403 Missing Permissions, 404 Unknown interaction, 429 with retry_after) for the next N matching requests.
discord.py decodes JSON only when Content-Type is exactly `application/json`, so responses are built by hand.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from dataclasses import dataclass, field

from aiohttp import web

from tests.loopback import serve_on_loopback

BOT_ID = 900000000000000001
APP_ID = 900000000000000002
OWNER_ID = 900000000000000003
TIMESTAMP = "2026-11-28T12:00:00.000000+00:00"

# application flags: GATEWAY_MESSAGE_CONTENT (1 << 18), GATEWAY_MESSAGE_CONTENT_LIMITED (1 << 19)
FLAG_MESSAGE_CONTENT_LIMITED = 1 << 19

ERRORS = {
    403: {"message": "Missing Permissions", "code": 50013},
    404: {"message": "Unknown interaction", "code": 10062},
    429: {"message": "You are being rate limited.", "retry_after": 0.05, "global": False},
    500: {"message": "Internal Server Error", "code": 0},
}


@dataclass
class Recorded:
    method: str
    path: str  # without the /api/v10 prefix
    query: dict
    json: object
    headers: dict = field(repr=False, default_factory=dict)
    status: int = 200
    at: float = field(default_factory=time.monotonic)  # when it arrived


def _json(data, status: int = 200, headers: dict | None = None) -> web.Response:
    return web.Response(status=status, body=json.dumps(data).encode(), headers={
        "Content-Type": "application/json", **(headers or {})})


class FakeDiscordRest:
    def __init__(self, *, gateway_url: str = "ws://127.0.0.1:9/", app_flags: int = FLAG_MESSAGE_CONTENT_LIMITED,
                 delay: float = 0.0):
        self.gateway_url = gateway_url
        self.app_flags = app_flags
        self.delay = delay  # seconds to wait before answering every request (slow network)
        self.requests: list[Recorded] = []
        self.messages: list[dict] = []  # every message the fake created, in order (for button clicks)
        self.dm_channels: dict[str, str] = {}  # recipient user id -> DM channel id (POST /users/@me/channels)
        self._failures: list[list] = []  # [method, compiled regex, status, body, remaining]
        self._ids = itertools.count(950000000000000001)
        self._cond: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    # lifecycle ---------------------------------------------------------------------------------------------
    async def start(self) -> "FakeDiscordRest":
        self._cond = asyncio.Condition()
        app = web.Application()
        app.router.add_route("*", "/api/v10/{tail:.*}", self._handle)
        self._runner, self.port = await serve_on_loopback(app)
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    # test helpers ------------------------------------------------------------------------------------------
    def fail(self, method: str, path_regex: str, status: int, times: int = 1, body: dict | None = None) -> None:
        """The next `times` requests matching method + path regex get this error status."""
        self._failures.append([method, re.compile(path_regex), status, body or ERRORS[status], times])

    def find(self, method: str, path_regex: str) -> list[Recorded]:
        rx = re.compile(path_regex)
        return [r for r in self.requests if r.method == method and rx.fullmatch(r.path)]

    async def wait_for(self, method: str, path_regex: str, count: int = 1, timeout: float = 3.0) -> list[Recorded]:
        """Wait until at least `count` matching requests were answered with 2xx; return them all."""
        rx = re.compile(path_regex)

        def ok():
            return [r for r in self.requests if r.method == method and rx.fullmatch(r.path) and r.status < 300]

        async with self._cond:
            try:
                await asyncio.wait_for(self._cond.wait_for(lambda: len(ok()) >= count), timeout)
            except asyncio.TimeoutError:
                seen = "\n  ".join(f"{r.method} {r.path} -> {r.status}" for r in self.requests)
                raise AssertionError(f"no {count}x {method} {path_regex} within {timeout}s; saw:\n  {seen}") from None
        return ok()

    def callbacks(self) -> list[dict]:
        """Bodies of answered interaction callbacks, in order."""
        return [r.json for r in self.requests
                if r.method == "POST" and r.path.endswith("/callback") and r.status < 300]

    def replies(self) -> list[dict]:
        """What the member sees, in order: callback messages (type 4 and 7 data) and followups after a deferral
        (type 5 is only the 'thinking...' placeholder)."""
        out = []
        for r in self.requests:
            if r.method != "POST" or r.status >= 300:
                continue
            if r.path.endswith("/callback") and (r.json or {}).get("type") in (4, 7):
                out.append(r.json.get("data") or {})
            elif re.fullmatch(r"/webhooks/\d+/[^/]+", r.path):
                out.append(r.json or {})
        return out

    # canned objects ----------------------------------------------------------------------------------------
    def bot_user(self) -> dict:
        return {"id": str(BOT_ID), "username": "optout", "discriminator": "0", "global_name": "Opt-out bot",
                "avatar": None, "bot": True, "flags": 0}

    def message(self, channel_id, payload: dict | None, flags: int = 0) -> dict:
        payload = payload if isinstance(payload, dict) else {}
        msg = {
            "id": str(next(self._ids)), "channel_id": str(channel_id), "type": 0, "author": self.bot_user(),
            "content": payload.get("content") or "", "embeds": payload.get("embeds") or [],
            "components": payload.get("components") or [], "attachments": [], "mentions": [],
            "mention_roles": [], "mention_everyone": False, "pinned": False, "tts": False,
            "timestamp": TIMESTAMP, "edited_timestamp": None, "flags": payload.get("flags", flags) or 0,
        }
        self.messages.append(msg)
        return msg

    def _application(self) -> dict:
        owner = {"id": str(OWNER_ID), "username": "owner", "discriminator": "0", "avatar": None}
        return {"id": str(APP_ID), "name": "optout-bot", "description": "", "icon": None, "bot_public": True,
                "bot_require_code_grant": False, "owner": owner, "verify_key": "00" * 32, "summary": "",
                "flags": self.app_flags, "bot": self.bot_user()}

    # request handling --------------------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body = None
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == "application/json" and raw:
                body = json.loads(raw)
            elif request.content_type.startswith("multipart"):  # attachments: payload_json + files[n]
                text = raw.decode(errors="replace")
                found = re.search(r'name="payload_json"\r\n(?:[^\r\n]+\r\n)*\r\n(.*?)\r\n--', text, re.S)
                body = {**(json.loads(found.group(1)) if found else {}), "multipart": text}
        rec = Recorded(request.method, path, dict(request.query), body, dict(request.headers))
        if self.delay:
            await asyncio.sleep(self.delay)
        response = self._failure(rec) or self._route(rec)
        rec.status = response.status
        async with self._cond:
            self.requests.append(rec)
            self._cond.notify_all()
        return response

    def _failure(self, rec: Recorded) -> web.Response | None:
        for f in self._failures:
            method, rx, status, body, remaining = f
            if remaining > 0 and method == rec.method and rx.fullmatch(rec.path):
                f[4] -= 1
                headers = {"Via": "1.1 google"} if status == 429 else {}
                return _json(body, status, headers)
        return None

    def _route(self, rec: Recorded) -> web.Response:
        m, p, body = rec.method, rec.path, rec.json
        if m == "GET" and p == "/users/@me":
            return _json(self.bot_user())
        if m == "GET" and p == "/oauth2/applications/@me":
            return _json(self._application())
        if m == "GET" and p in ("/gateway", "/gateway/bot"):
            return _json({"url": self.gateway_url, "shards": 1,
                          "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0,
                                                  "max_concurrency": 1}})
        if m == "PUT" and re.fullmatch(r"/applications/\d+(/guilds/\d+)?/commands", p):
            out = []
            for cmd in body or []:
                out.append({"description": "", **cmd, "id": str(next(self._ids)), "application_id": str(APP_ID), "version": "1",
                            "default_member_permissions": cmd.get("default_member_permissions")})
            return _json(out)
        if m == "GET" and re.fullmatch(r"/applications/\d+(/guilds/\d+)?/commands", p):
            return _json([])
        if m == "POST" and (match := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", p)):
            return self._callback(match.group(1), body or {})
        if m == "POST" and re.fullmatch(r"/webhooks/\d+/[^/]+", p):  # followup
            return _json(self.message(0, body))
        if m == "PATCH" and re.fullmatch(r"/webhooks/\d+/[^/]+/messages/[^/]+", p):
            return _json(self.message(0, body))
        if m == "DELETE":
            return web.Response(status=204)
        if m == "POST" and (match := re.fullmatch(r"/channels/(\d+)/messages", p)):
            return _json(self.message(match.group(1), body))
        if m == "POST" and p == "/users/@me/channels":  # open a DM: a DM channel per recipient
            recipient = str((body or {}).get("recipient_id"))
            channel_id = self.dm_channels.setdefault(recipient, str(next(self._ids)))
            return _json({"id": channel_id, "type": 1, "last_message_id": None,
                          "recipients": [{"id": recipient, "username": "member", "discriminator": "0", "avatar": None}]})
        if m == "POST" and re.fullmatch(r"/channels/\d+/typing", p):
            return web.Response(status=204)
        return _json({"message": "404: Not Found", "code": 0}, 404)

    def _callback(self, interaction_id: str, body: dict) -> web.Response:
        kind = body.get("type")
        data = body.get("data") or {}
        resp: dict = {"interaction": {"id": interaction_id, "type": 2}}
        if kind in (4, 5, 7):  # message, deferred message, update message
            flags = data.get("flags", 0) or 0
            msg = self.message(0, data, flags)
            resp["interaction"].update(response_message_id=msg["id"], response_message_loading=kind == 5,
                                       response_message_ephemeral=bool(flags & 64))
            resp["resource"] = {"type": kind, "message": msg}
        return _json(resp)

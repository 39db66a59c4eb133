"""A fake Telegram Bot API for the adapter's tests (see ../../../shared/TESTING.md, section 1).

One object, two ways in:
  * FakeBotAPI.start() serves HTTP on 127.0.0.1, port 0, in a background thread, so both in-process tests and
    a bot running as a subprocess (`optout-bot run telegram`) can talk to it: PTB's real HTTPXRequest POSTs
    form-encoded calls to f"{base_url}{token}/{method}", getUpdates long-polls (at most 1 s per call).
  * FakeRequest(api) is a telegram.request.BaseRequest that hands the same calls straight to FakeBotAPI.handle(),
    for handler tests through Application.process_update() without any socket.

Tests push updates (push_update / the builders at the bottom), inject errors (fail_next: 429 with retry_after,
403, ...), declare chat admins (admins[chat_id] = [user ids]) and wait for the recorded calls (wait_for).
Every recorded call's params are decoded to Python values, so assertions compare dicts, ints and bools.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass

from aiohttp import web

from tests.loopback import serve_on_loopback

# Parameters that PTB sends as raw strings; every other value is JSON-encoded (ints, bools, markup, lists).
STR_FIELDS = {"text", "parse_mode", "url", "secret_token", "language_code", "callback_query_id", "inline_query_id",
              "next_offset", "query", "ip_address", "caption", "description", "short_description", "name"}
UNAUTHORIZED = {"ok": False, "error_code": 401, "description": "Unauthorized"}


@dataclass
class Call:
    method: str
    params: dict
    at: float


def decode_form(form) -> dict:
    params = {}
    for key, value in form.items():
        if key in STR_FIELDS or not isinstance(value, str):
            params[key] = value
            continue
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


class FakeBotAPI:
    def __init__(self, token: str = "123456:TEST-token-for-tests", username: str = "optout_test_bot"):
        self.token, self.username = token, username
        self.bot_id = int(token.split(":")[0])
        self.calls: list[Call] = []
        self.admins: dict[int, list[int]] = {}
        self.webhook: dict = {}
        self._updates: list[dict] = []
        self._failures: dict[str, list[dict]] = {}
        self._cond = threading.Condition()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.port = 0

    # ------------------------------------------------------------------ test controls (thread-safe)
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def bot_user(self) -> dict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "OptOut", "username": self.username}

    def push_update(self, update: dict) -> dict:
        with self._cond:
            update = {"update_id": next(self._update_ids), **update}
            self._updates.append(update)
            self._cond.notify_all()
        return update

    def fail_next(self, method: str, code: int, description: str, **parameters) -> None:
        """The next call of `method` answers with this error (e.g. 429 with retry_after=1)."""
        error = {"ok": False, "error_code": code, "description": description}
        if parameters:
            error["parameters"] = parameters
        with self._cond:
            self._failures.setdefault(method, []).append(error)

    def find(self, method: str, where=None) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method and (where is None or where(c.params))]

    def wait_for(self, method: str, where=None, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until `count` calls of `method` (matching `where(params)`) were recorded; return them."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method and (where is None or where(c.params))]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(c.method, c.params.get("chat_id")) for c in self.calls[-10:]]
                    raise AssertionError(f"no {count} x {method} within {timeout}s; last calls: {seen}")
                self._cond.wait(left)

    async def await_for(self, method: str, where=None, count: int = 1, timeout: float = 5.0) -> list[Call]:
        return await asyncio.to_thread(self.wait_for, method, where, count, timeout)

    def sent_to(self, chat_id: int) -> list[dict]:
        return [c.params for c in self.find("sendMessage", lambda p: p.get("chat_id") == chat_id)]

    # ------------------------------------------------------------------ the API itself
    def handle(self, token: str, method: str, params: dict) -> tuple[int, dict]:
        if token != self.token:
            return 401, UNAUTHORIZED
        with self._cond:
            if method != "getUpdates":
                self.calls.append(Call(method, params, time.monotonic()))
                self._cond.notify_all()
            failures = self._failures.get(method)
            if failures:
                error = failures.pop(0)
                return error["error_code"], error
        result = self._result(method, params)
        if result is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
        return 200, {"ok": True, "result": result}

    def _result(self, method: str, p: dict):
        if method == "getMe":
            return {**self.bot_user(), "can_join_groups": True, "can_read_all_group_messages": False,
                    "supports_inline_queries": True}
        if method == "getUpdates":
            offset = int(p.get("offset") or 0)
            with self._cond:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                return list(self._updates[: int(p.get("limit") or 100)])
        if method in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            chat_id = p.get("chat_id", 0)
            message_id = p.get("message_id") or next(self._message_ids)
            chat = {"id": chat_id, "type": "private" if isinstance(chat_id, int) and chat_id > 0 else "supergroup"}
            if chat["type"] == "supergroup":
                chat["title"] = "Test group"
            return {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": self.bot_user(),
                    "text": p.get("text", "")}
        if method == "sendDocument":  # the in-process request puts the upload in "document": (file name, bytes)
            return {"message_id": next(self._message_ids), "date": int(time.time()), "from": self.bot_user(),
                    "chat": {"id": p.get("chat_id", 0), "type": "private"},
                    "document": {"file_id": "f1", "file_unique_id": "u1", "file_name": "file"}}
        if method == "getChatAdministrators":
            return [admin_member(uid) for uid in self.admins.get(p.get("chat_id"), [])]
        if method == "setWebhook":
            self.webhook = dict(p)
            return True
        if method == "deleteWebhook":
            self.webhook = {}
            return True
        if method == "getWebhookInfo":
            return {"url": self.webhook.get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}
        if method in ("answerCallbackQuery", "answerInlineQuery", "setMyCommands", "deleteMyCommands", "setMyDescription",
                      "setMyShortDescription",
                      "pinChatMessage", "leaveChat", "close", "logOut", "sendChatAction"):
            return True
        return None

    # ------------------------------------------------------------------ HTTP server in a thread
    async def _http(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        params = decode_form(await request.post()) if request.method == "POST" else dict(request.query)
        if method == "getUpdates" and token == self.token:
            deadline = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
            offset = int(params.get("offset") or 0)
            while time.monotonic() < deadline:
                with self._cond:
                    if any(u["update_id"] >= offset for u in self._updates):
                        break
                await asyncio.sleep(0.01)
        status, body = self.handle(token, method, params)
        return web.json_response(body, status=status)

    def start(self) -> "FakeBotAPI":
        ready = threading.Event()

        def serve():
            self._loop = loop = asyncio.new_event_loop()
            app = web.Application()
            app.router.add_route("*", "/bot{token}/{method}", self._http)
            runner, self.port = loop.run_until_complete(serve_on_loopback(app))
            ready.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, name="fake-bot-api", daemon=True)
        self._thread.start()
        if not ready.wait(5):
            raise RuntimeError("fake Bot API did not start")
        return self

    def stop(self) -> None:
        if self._loop and self._thread:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)


def admin_member(user_id: int) -> dict:
    user = {"id": user_id, "is_bot": False, "first_name": f"Admin{user_id}"}
    return {"status": "creator", "user": user, "is_anonymous": False}


def make_fake_request(api: FakeBotAPI):
    """A PTB BaseRequest that answers from `api` in-process (no sockets). Imported lazily: telegram is heavy."""
    from telegram.request import BaseRequest

    class FakeRequest(BaseRequest):
        @property
        def read_timeout(self):
            return 1.0

        async def initialize(self):
            pass

        async def shutdown(self):
            pass

        async def do_request(self, url, method, request_data=None, read_timeout=None, write_timeout=None,
                             connect_timeout=None, pool_timeout=None):
            token, api_method = url.split("/bot", 1)[1].rsplit("/", 1)
            params = dict(request_data.parameters) if request_data else {}
            for name, part in (request_data.multipart_data if request_data else {}).items():
                params[name] = (part[0], part[1]) if isinstance(part, tuple) else part  # (file name, bytes[, type])
            status, body = api.handle(token, api_method, params)
            return status, json.dumps(body).encode()

    return FakeRequest()


# ---------------------------------------------------------------------- update builders
_ids = itertools.count(1)
PRIVATE, GROUP = 1001, -100200300


def user(uid: int = 501, first_name: str = "Ana", language_code: str | None = "en", is_bot: bool = False) -> dict:
    u = {"id": uid, "is_bot": is_bot, "first_name": first_name}
    if language_code:
        u["language_code"] = language_code
    return u


def _chat(chat_id: int, sender: dict) -> dict:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": sender["first_name"]}
    return {"id": chat_id, "type": "supergroup", "title": "Test group"}


def message(text: str, chat_id: int = PRIVATE, sender: dict | None = None, reply_to: dict | None = None,
            entities: list | None = None, **extra) -> dict:
    sender = sender or user(chat_id if chat_id > 0 else 501)
    chat = _chat(chat_id, sender)
    if entities is None and text.startswith("/"):
        entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    msg = {"message_id": next(_ids), "date": int(time.time()), "chat": chat, "from": sender, "text": text, **extra}
    if entities:
        msg["entities"] = entities
    if reply_to:
        msg["reply_to_message"] = reply_to
    return {"message": msg}


def mention(text_after: str, username: str, chat_id: int = GROUP, sender: dict | None = None) -> dict:
    text = f"@{username} {text_after}"
    return message(text, chat_id, sender, entities=[{"type": "mention", "offset": 0, "length": len(username) + 1}])


def callback(data: str, chat_id: int = PRIVATE, sender: dict | None = None, message_id: int = 1000) -> dict:
    sender = sender or user(chat_id if chat_id > 0 else 501)
    msg = {"message_id": message_id, "date": int(time.time()), "chat": _chat(chat_id, sender), "text": "?"}
    return {"callback_query": {"id": str(next(_ids)), "from": sender, "chat_instance": "ci", "data": data,
                               "message": msg}}


def inline_query(query: str, sender: dict | None = None) -> dict:
    return {"inline_query": {"id": str(next(_ids)), "from": sender or user(), "query": query, "offset": ""}}

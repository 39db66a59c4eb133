"""Review F-20 (webhook body cap) and F-8 (DEBUG logs without message text, names or tokens): the real
`optout-bot run telegram` in webhook mode, against the fake Bot API on 127.0.0.1."""
from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request

import pytest

from tests.telegram.fake_bot_api import FakeBotAPI, message as msg, user
from tests.telegram.test_tg_e2e import BotProcess, reply

SECRET = "s3cret-webhook-token"
TEXT = "my ex-husband Zoltan keeps posting my photos, how do I stop instagram training ai?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(port: int, body: bytes, token: str | None) -> int:
    headers = {"Content-Type": "application/json", **({"X-Telegram-Bot-Api-Secret-Token": token} if token else {})}
    req = urllib.request.Request(f"http://127.0.0.1:{port}/tg-hook", body, headers)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for _ in range(100):
        try:
            return opener.open(req, timeout=5).status
        except urllib.error.HTTPError as err:
            return err.code
        except urllib.error.URLError:
            time.sleep(0.05)
    raise AssertionError("webhook listener not reachable")


@pytest.mark.parametrize("log_text", [False, True])
def test_webhook_caps_bodies_and_debug_logs_keep_no_message_text(tmp_path, log_text):
    api = FakeBotAPI().start()
    port = free_port()
    bot = BotProcess(api, tmp_path, TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/tg-hook",
                     TELEGRAM_WEBHOOK_PORT=str(port), TELEGRAM_WEBHOOK_SECRET=SECRET, LOG_LEVEL="DEBUG",
                     TELEGRAM_WEBHOOK_MAX_BODY="100000", LOG_MESSAGE_TEXT=str(log_text).lower())
    try:
        api.wait_for("setWebhook", timeout=15)
        update = {"update_id": 5, **msg(TEXT, 3001, sender=user(3001, "Zoltanperson"))}
        assert post(port, json.dumps(update).encode(), SECRET) == 200
        reply(api, 3001)
        # a body over the cap: the connection is closed after the headers, before any body is read
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"POST /tg-hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 90000000\r\n\r\n{\"update_id\": 1")
            t0 = time.monotonic()
            data = b""
            try:
                while chunk := s.recv(65536):
                    data += chunk
            except (ConnectionResetError, socket.timeout):
                pass
            assert time.monotonic() - t0 < 3 and b"200 OK" not in data
        assert post(port, json.dumps({"update_id": 6, **msg("/help", 3002)}).encode(), SECRET) == 200  # still up
        reply(api, 3002)
        assert bot.stop() == 0
    finally:
        bot.stop()
        api.stop()
    log = bot.output()
    assert api.token not in log and SECRET not in log and "Traceback" not in log
    if log_text:  # asked for: the chat libraries' DEBUG lines, with the text
        assert "ex-husband" in log
    else:
        assert "ex-husband" not in log and "Zoltanperson" not in log

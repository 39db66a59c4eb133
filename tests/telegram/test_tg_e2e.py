"""End to end: `optout-bot run telegram` as a subprocess against the fake Bot API on 127.0.0.1.

One bot process serves the polling tests in order (each in its own chat); the last one stops it with SIGTERM.
A second process checks webhook mode. Assertions compare with what the core renders for the same question.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.core.engine import Query, get_engine
from bot.core.render import message, render
from tests.telegram.fake_bot_api import FakeBotAPI, callback, inline_query, mention, message as msg, user

ROOT = Path(__file__).resolve().parents[2]
GROUP, GROUP2, ADMIN, MEMBER = -100777, -100888, 601, 602
EN_Q = "How do I stop LinkedIn from training AI on my data?"
ES_Q = "¿Cómo evito que Instagram use mis fotos para su IA?"
CLARIFY_Q = "How do I stop Meta from training AI on my data?"


class BotProcess:
    def __init__(self, api: FakeBotAPI, workdir: Path, **env):
        self.api, self.log = api, workdir / "bot.log"
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_"))}
        environ.update({"TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_BASE_URL": api.base_url, "LOG_LEVEL": "DEBUG",
                        "DATABASE_URL": f"sqlite:///{workdir}/db.sqlite3", "NO_PROXY": "127.0.0.1,localhost",
                        "no_proxy": "127.0.0.1,localhost", "PYTHONPATH": str(ROOT), **env})
        with open(self.log, "wb") as out:  # cwd: a fresh folder, so no developer .env is read
            self.proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "telegram"], cwd=workdir,
                                         env=environ, stdout=out, stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(10)


def chunks(text: str, **kw) -> list[str]:
    return render(get_engine().answer(Query(text, surface="telegram", **kw)), "telegram").chunks


def buttons(params: dict) -> list[dict]:
    return [b for row in (params.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    api = FakeBotAPI().start()
    api.admins[GROUP2] = [ADMIN]
    bot = BotProcess(api, tmp_path_factory.mktemp("tg-e2e"))
    try:
        api.wait_for("deleteWebhook", timeout=15)  # initialize (getMe), post_init (setMyCommands), polling starts
    except AssertionError:
        bot.stop()
        pytest.fail("the bot did not start:\n" + bot.output()[-3000:])
    yield bot
    bot.stop()
    api.stop()


def reply(api: FakeBotAPI, chat_id: int, count: int = 1, timeout: float = 5.0) -> list[dict]:
    return [c.params for c in api.wait_for("sendMessage", lambda p: p.get("chat_id") == chat_id, count, timeout)]


def test_boot_sets_commands_per_scope_and_language(live):
    calls = live.api.find("setMyCommands")
    assert {(c.params["scope"]["type"], c.params.get("language_code")) for c in calls} == {
        ("all_private_chats", None), ("all_private_chats", "es"), ("all_group_chats", None), ("all_group_chats", "es"),
        ("all_chat_administrators", None), ("all_chat_administrators", "es")}


def test_start(live):
    live.api.push_update(msg("/start", 2001))
    [sent] = reply(live.api, 2001)
    assert sent["text"] == message("welcome", "telegram", "en")
    assert sent["parse_mode"] == "HTML" and sent["link_preview_options"] == {"is_disabled": True}
    assert len(buttons(sent)) == 3


@pytest.mark.parametrize("chat,question", [(2002, EN_Q), (2003, ES_Q)])
def test_question_in_each_language(live, chat, question):
    live.api.push_update(msg(question, chat))
    expected = chunks(question)
    sent = reply(live.api, chat, count=len(expected))
    assert [p["text"] for p in sent] == expected
    assert all(p["parse_mode"] == "HTML" for p in sent)


def test_clarify_buttons_and_press(live):
    live.api.push_update(msg(CLARIFY_Q, 2004))
    [sent] = reply(live.api, 2004)
    first = buttons(sent)[0]
    answer = get_engine().answer(Query(CLARIFY_Q))
    assert first["text"] == answer.candidates[0].name
    live.api.push_update(callback(first["callback_data"], 2004, message_id=sent.get("message_id", 1)))
    live.api.wait_for("answerCallbackQuery")
    sent = reply(live.api, 2004, count=2)
    assert sent[1]["text"] == render(get_engine().answer_for(answer.candidates[0].platform), "telegram").chunks[0]


def test_inline_query(live):
    live.api.push_update(inline_query("linkedin", sender=user(2005)))
    [call] = live.api.wait_for("answerInlineQuery")
    results = call.params["results"]
    assert 1 <= len(results) <= 10 and results[0]["type"] == "article"
    assert results[0]["input_message_content"]["parse_mode"] == "HTML"


def test_group_chatter_ignored_mention_answered(live):
    live.api.push_update(msg("anyone up for lunch? " + EN_Q, GROUP))
    mentioned = live.api.push_update(mention(EN_Q, live.api.username, GROUP))
    [sent] = reply(live.api, GROUP)
    assert sent["reply_parameters"]["message_id"] == mentioned["message"]["message_id"]
    assert sent["text"] == chunks(EN_Q, in_group=True)[0]
    time.sleep(0.2)
    assert len(live.api.sent_to(GROUP)) == 1


def test_faq_by_admin_and_refused_to_non_admin(live):
    live.api.push_update(msg("/faq on", GROUP2, sender=user(MEMBER)))
    assert reply(live.api, GROUP2)[0]["text"] == message("faq_admin_only", "telegram", "en")
    live.api.push_update(msg("/faq on", GROUP2, sender=user(ADMIN)))
    assert reply(live.api, GROUP2, 2)[1]["text"].startswith(message("faq_on", "telegram", "en"))
    live.api.push_update(msg(EN_Q, GROUP2, sender=user(MEMBER)))  # now overheard clear questions are answered
    assert reply(live.api, GROUP2, 3)[2]["text"] == chunks(EN_Q, in_group=True, addressed=False)[0]


def test_429_is_retried_not_dropped(live):
    live.api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    live.api.push_update(msg("/help", 2006))
    calls = live.api.wait_for("sendMessage", lambda p: p.get("chat_id") == 2006, count=2, timeout=6)
    assert calls[1].params["text"] == calls[0].params["text"] == message("help", "telegram", "en")
    assert calls[1].at - calls[0].at >= 1.0


def test_markup_in_user_text_is_escaped(live):
    live.api.push_update(msg("/optout <b>bold</b> & <i>co</i>", 2007))
    [sent] = reply(live.api, 2007)
    assert sent["text"] == message("platform_not_found", "telegram", "en", name="<b>bold</b> & <i>co</i>")
    assert "“&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;co&lt;/i&gt;”" in sent["text"]


def test_sigterm_stops_cleanly_and_the_token_never_shows(live):
    assert live.proc.poll() is None
    assert live.stop() == 0
    out = live.output()
    assert "Traceback" not in out
    assert live.api.token not in out and live.api.token.split(":")[1] not in out


def test_webhook_mode_with_secret_token(tmp_path):
    api = FakeBotAPI().start()
    with socket.socket() as s:  # a free loopback port for the bot's webhook listener
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    secret = "s3cret-webhook-token"
    bot = BotProcess(api, tmp_path, TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/tg-hook",
                     TELEGRAM_WEBHOOK_LISTEN="127.0.0.1", TELEGRAM_WEBHOOK_PORT=str(port),
                     TELEGRAM_WEBHOOK_SECRET=secret)
    try:
        [call] = api.wait_for("setWebhook", timeout=15)
        assert call.params["url"] == f"http://127.0.0.1:{port}/tg-hook" and call.params["secret_token"] == secret
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

        def post(update: dict, token: str | None) -> int:
            headers = {"Content-Type": "application/json"}
            if token:
                headers["X-Telegram-Bot-Api-Secret-Token"] = token
            req = urllib.request.Request(f"http://127.0.0.1:{port}/tg-hook", json.dumps(update).encode(), headers)
            for _ in range(50):  # the listener comes up right after setWebhook
                try:
                    return opener.open(req, timeout=5).status
                except urllib.error.HTTPError as err:
                    return err.code
                except urllib.error.URLError:
                    time.sleep(0.05)
            raise AssertionError("webhook listener not reachable")

        assert post({"update_id": 1, **msg("/help", 3001)}, "wrong") == 403
        assert post({"update_id": 2, **msg("/start", 3001)}, secret) == 200
        [sent] = reply(api, 3001)
        assert sent["text"] == message("welcome", "telegram", "en")
        assert bot.stop() == 0
        assert api.token not in bot.output() and secret not in bot.output()
    finally:
        bot.stop()
        api.stop()


def test_rejected_token_exits_1_without_showing_it(tmp_path):
    api = FakeBotAPI().start()
    try:
        bot = BotProcess(api, tmp_path, TELEGRAM_BOT_TOKEN="555:WRONG-token-never-logged", LOG_LEVEL="INFO")
        assert bot.proc.wait(15) == 1
        out = bot.output()
        assert "refused the bot token" in out and "WRONG-token-never-logged" not in out
    finally:
        api.stop()

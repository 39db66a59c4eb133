"""Policy-change alerts and /new in Telegram: the real Application (handlers, rate limiter, HTTPXRequest) against
the fake Bot API over HTTP on 127.0.0.1. Every count below is what the fake server received.

Exactly once with two bot processes sharing PostgreSQL (two Applications, each with its own store and connection
pool); the same on SQLite for one process, across a restart; a user who blocked the bot is unsubscribed; /forget,
/privacy, /new and group admin rules, in English and Spanish."""
from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import text
from telegram import Update

from bot.adapters.telegram_bot import build_application
from bot.core.store import Store
from tests.alert_helpers import NEW_EN, NEW_ES, with_change
from tests.telegram.conftest import make_settings
from tests.telegram.fake_bot_api import FakeBotAPI, callback, message, user

GROUP, ADMIN, MEMBER = -100200300, 601, 602
TODAY = dt.date.today().isoformat()
ALERT_EN = (f"🔔 LinkedIn changed how it uses your data ({TODAY}):\n{NEW_EN}\n\n"
            "What to do now: In the app: Tap your profile photo &gt; Settings &gt; Data privacy &gt; Data for "
            "Generative AI Improvement. Switch the toggle off.\n"
            "Source: Gulf News: LinkedIn privacy update, Microsoft can use your data from Nov 3 - how to stop it\n"
            "/unsubscribe linkedin stops these alerts.")
ALERT_ES_HEAD = f"🔔 LinkedIn cambió cómo usa tus datos ({TODAY}):\n{NEW_ES}\n\nQué hacer ahora: En la app: Toca"
GULF = ("https://gulfnews.com/technology/linkedin-privacy-update-microsoft-can-use-your-data-from-nov-3-how-to-stop-"
        "it-1.500281615")
KEYBOARD_EN = [[{"text": "Full answer", "callback_data": "a:linkedin:ai-training:en"}],
               [{"text": "Gulf News: LinkedIn privacy update, Microsoft…", "url": GULF}]]
ALERT_TABLES = ("alert_subscriptions", "alert_changes", "alert_deliveries", "alert_meta")


@pytest.fixture
def api():
    server = FakeBotAPI().start()
    server.admins[GROUP] = [ADMIN]
    yield server
    server.stop()


class Bot:
    """One bot process: an Application with its own store (connection pool) on the shared database."""

    def __init__(self, app, store):
        self.app, self.store = app, store
        self.handlers = app.bot_data["optout"]

    @classmethod
    async def start(cls, api: FakeBotAPI, url: str, engine, alerts: bool = True, **settings) -> "Bot":
        store = await Store.open(url)
        options = {"alerts_poll_seconds": 0.2, "alerts_send_interval": 0.0, **settings}
        app = build_application(make_settings(api, url, **options), engine=engine, store=store, admin_cache_seconds=0)
        await app.initialize()
        bot = cls(app, store)
        if alerts:
            bot.handlers.start_alerts(app)  # what post_init does when the bot starts
            await asyncio.sleep(0)
        return bot

    async def send(self, update: dict) -> None:
        await self.app.process_update(Update.de_json({"update_id": 1, **update}, self.app.bot))

    async def reload(self, engine) -> str:
        return await self.handlers.conv.reload(lambda: engine)  # SIGHUP / /reload with a new knowledge base

    async def stop(self) -> None:
        if self.handlers.alerts is not None:
            await self.handlers.alerts.stop()
        await self.app.shutdown()
        await self.store.close()


async def rows(store: Store, sql: str) -> list[tuple]:
    async with store._engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(text(sql))).all()]


def alerts_to(api: FakeBotAPI, chat_id: int | None = None) -> list[dict]:
    return [c.params for c in api.find("sendMessage", lambda p: p.get("text", "").startswith("🔔")
                                       and (chat_id is None or p.get("chat_id") == chat_id))]


def last_text(api: FakeBotAPI, chat_id: int) -> str:
    return api.sent_to(chat_id)[-1]["text"]


async def settle(bots, seconds: float = 1.0) -> None:
    """Let every dispatcher run several more passes (poll 0.2 s), so a second send would have happened."""
    await asyncio.sleep(seconds)


async def wait_done(store: Store, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if not await rows(store, "SELECT 1 FROM alert_deliveries WHERE state IN ('pending', 'claimed')"):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(await rows(store, "SELECT * FROM alert_deliveries"))


# ---------------------------------------------------------------------------------------- exactly once
async def test_two_bot_processes_on_postgres_send_each_subscriber_exactly_one_alert(api, postgres_url, engine):
    reset = await Store.open(postgres_url)
    async with reset._engine.begin() as conn:
        for table in ALERT_TABLES:
            await conn.execute(text(f"DELETE FROM {table}"))
    await reset.close()
    a, b = await Bot.start(api, postgres_url, engine), await Bot.start(api, postgres_url, engine)
    try:
        users = list(range(2001, 2041))  # 40 people, half subscribing through each process
        for i, uid in enumerate(users):
            bot = a if i % 2 else b
            await bot.send(message("/subscribe linkedin" if i % 3 else "/subscribe all", chat_id=uid, sender=user(uid)))
        await a.send(message("/subscribe linkedin", chat_id=GROUP, sender=user(ADMIN)))  # an admin: the group
        await b.send(message("/subscribe instagram", chat_id=3001, sender=user(3001)))  # another platform
        assert last_text(api, 2002) == ("Subscribed: when LinkedIn changes how it uses your data for AI, I'll send "
                                        "you one short message here with what to do. /unsubscribe linkedin stops it.")
        assert last_text(api, GROUP) == ("Subscribed: when LinkedIn changes how it uses your data for AI, I'll post "
                                         "one short message in this chat with what to do. /unsubscribe linkedin "
                                         "stops it.")
        assert alerts_to(api) == []  # the first run on this database recorded every known change without alerting

        newer = with_change(engine)
        reports = await asyncio.gather(a.reload(newer), b.reload(newer))  # both processes see the new version
        assert all(r.startswith("knowledge base reloaded") for r in reports)
        await api.await_for("sendMessage", lambda p: p.get("text", "").startswith("🔔"), count=41, timeout=20)
        await wait_done(a.store)
        await settle((a, b))
        sent = alerts_to(api)
        assert sorted(p["chat_id"] for p in sent) == sorted([*users, GROUP])  # each exactly once, 3001 none
        assert alerts_to(api, 2002)[0]["text"] == ALERT_EN
        assert alerts_to(api, 2002)[0]["reply_markup"] == {"inline_keyboard": KEYBOARD_EN}
        assert a.handlers.alerts.sent > 0 and b.handlers.alerts.sent > 0  # both processes did part of the work
        assert a.handlers.alerts.sent + b.handlers.alerts.sent == 41
        assert await rows(a.store, "SELECT state, count(*) FROM alert_deliveries GROUP BY state") == [("sent", 41)]
    finally:
        await a.stop()
        await b.stop()


async def test_sqlite_one_process_a_restart_does_not_resend_and_a_start_with_news_alerts(api, tmp_path, engine):
    url = f"sqlite:///{tmp_path}/db.sqlite3"
    bot = await Bot.start(api, url, engine)
    await bot.send(message("/subscribe LinkedIn", chat_id=701, sender=user(701)))
    await bot.send(message("/subscribe all", chat_id=702, sender=user(702, language_code="es")))
    assert last_text(api, 702).startswith("Suscrito: cuando cualquier plataforma cambie cómo usa tus datos")
    await bot.stop()

    newer = with_change(engine)
    bot = await Bot.start(api, url, newer)  # started on a newer knowledge base: its new change alerts
    await api.await_for("sendMessage", lambda p: p.get("text", "").startswith("🔔"), count=2)
    await wait_done(bot.store)
    await bot.stop()
    for _ in range(2):  # restarted twice on the same version: nothing again
        bot = await Bot.start(api, url, newer)
        await settle((bot,), 0.6)
        await bot.stop()
    assert sorted(p["chat_id"] for p in alerts_to(api)) == [701, 702]  # once each, over three starts
    assert alerts_to(api, 701)[0]["text"] == ALERT_EN
    assert alerts_to(api, 702)[0]["text"].startswith(ALERT_ES_HEAD)  # the subscriber's language
    assert alerts_to(api, 702)[0]["reply_markup"]["inline_keyboard"][0] == [
        {"text": "Respuesta completa", "callback_data": "a:linkedin:ai-training:es"}]


async def test_the_first_run_ever_records_without_alerting(api, tmp_path, engine):
    url = f"sqlite:///{tmp_path}/db.sqlite3"
    setup = await Bot.start(api, url, engine, alerts=False)
    await setup.send(message("/subscribe all", chat_id=703, sender=user(703)))  # subscribed before any run
    await setup.stop()
    bot = await Bot.start(api, url, with_change(engine))  # the change is new to the KB, but this is the first run
    await settle((bot,), 0.6)
    changes = await rows(bot.store, "SELECT count(*), sum(alerted) FROM alert_changes")
    await bot.stop()
    assert alerts_to(api) == []
    total = sum(len(p.changes) for p in engine.kb.platforms.values()) + 1
    assert changes == [(total, 0)]


async def test_a_claim_left_by_a_dead_process_is_sent_after_its_lease(api, tmp_path, engine):
    url = f"sqlite:///{tmp_path}/db.sqlite3"
    bot = await Bot.start(api, url, engine, alerts_lease_seconds=1.0)
    await bot.send(message("/subscribe linkedin", chat_id=704, sender=user(704)))
    await bot.handlers.alerts.stop()  # this process "dies" holding a claim:
    newer = with_change(engine)
    await bot.reload(newer)
    [claim] = await bot.handlers.alerts.store.claim("telegram", "dead-process", lease=1.0)
    assert claim.subscriber.target == "704"
    bot.handlers.start_alerts(bot.app)  # a live process polls: the claim is taken over after the lease
    await asyncio.sleep(0.5)
    assert alerts_to(api, 704) == []  # not before the lease ran out
    await api.await_for("sendMessage", lambda p: p.get("text", "").startswith("🔔"), timeout=5)
    await settle((bot,), 0.6)
    assert len(alerts_to(api, 704)) == 1
    assert await rows(bot.store, "SELECT state, attempts FROM alert_deliveries") == [("sent", 2)]
    await bot.stop()


# ---------------------------------------------------------------------------------------- gone users
@pytest.mark.parametrize("code, description", [(403, "Forbidden: bot was blocked by the user"),
                                               (400, "Bad Request: chat not found")])
async def test_a_user_who_blocked_the_bot_is_unsubscribed(api, tmp_path, engine, code, description):
    url = f"sqlite:///{tmp_path}/db.sqlite3"
    bot = await Bot.start(api, url, engine)
    await bot.send(message("/subscribe linkedin", chat_id=705, sender=user(705)))
    await bot.send(message("/subscribe x", chat_id=705, sender=user(705)))
    assert await rows(bot.store, "SELECT target, platform FROM alert_subscriptions ORDER BY platform") == [
        ("705", "linkedin"), ("705", "x")]
    api.fail_next("sendMessage", code, description)
    await bot.reload(with_change(engine))
    await api.await_for("sendMessage", lambda p: p.get("text", "").startswith("🔔"))  # tried, refused
    await wait_done(bot.store)
    assert await rows(bot.store, "SELECT * FROM alert_subscriptions") == []
    assert await rows(bot.store, "SELECT * FROM alert_deliveries") == []
    await bot.stop()


async def test_a_failed_send_is_retried_not_dropped(api, tmp_path, engine):
    url = f"sqlite:///{tmp_path}/db.sqlite3"
    bot = await Bot.start(api, url, engine)
    await bot.send(message("/subscribe linkedin", chat_id=706, sender=user(706)))
    api.fail_next("sendMessage", 500, "Internal Server Error")
    await bot.reload(with_change(engine))
    await api.await_for("sendMessage", lambda p: p.get("text", "").startswith("🔔"), count=2, timeout=5)
    await wait_done(bot.store)
    assert await rows(bot.store, "SELECT target, state, attempts FROM alert_deliveries") == [("706", "sent", 2)]
    assert await rows(bot.store, "SELECT target FROM alert_subscriptions") == [("706",)]
    await bot.stop()


# ---------------------------------------------------------------------------------------- commands
async def test_group_subscribe_needs_an_admin(api, tmp_path, engine):
    bot = await Bot.start(api, f"sqlite:///{tmp_path}/db.sqlite3", engine, alerts=False)
    await bot.send(message("/subscribe linkedin", chat_id=GROUP, sender=user(MEMBER)))
    assert last_text(api, GROUP) == ("Only this chat's admins can subscribe it to alerts (on Discord: members with "
                                     "Manage Server). To get alerts yourself, send me /subscribe in a private chat.")
    await bot.send(message("/unsubscribe", chat_id=GROUP, sender=user(MEMBER)))
    assert last_text(api, GROUP).startswith("Only this chat's admins")
    assert await rows(bot.store, "SELECT * FROM alert_subscriptions") == []
    await bot.send(message("/subscribe all", chat_id=GROUP, sender=user(ADMIN)))
    assert await rows(bot.store, "SELECT surface, kind, target, platform FROM alert_subscriptions") == [
        ("telegram", "chat", str(GROUP), "all")]
    await bot.stop()


async def test_subscribe_usage_status_unknown_and_unsubscribe(api, tmp_path, engine):
    bot = await Bot.start(api, f"sqlite:///{tmp_path}/db.sqlite3", engine, alerts=False)
    say = lambda t: bot.send(message(t, chat_id=707, sender=user(707)))  # noqa: E731
    await say("/subscribe")
    assert last_text(api, 707).startswith("No alerts here yet.\n\nUse /subscribe &lt;platform&gt; (for example "
                                          "/subscribe linkedin) or /subscribe all")
    await say("/subscribe myspace")
    assert last_text(api, 707) == ("I don't know a platform called “myspace”. Use /subscribe &lt;platform&gt; or "
                                   "/subscribe all; /platforms lists them.")
    await say("/subscribe chatgpt")
    await say("/subscribe all")
    await say("/subscribe")
    assert last_text(api, 707).startswith("Alerts here: all platforms, ChatGPT.")
    await say("/unsubscribe linkedin")
    assert last_text(api, 707) == ("Alerts here are for every platform: /unsubscribe all stops them, then /subscribe "
                                   "&lt;platform&gt; for the ones you want.")
    await say("/unsubscribe chatgpt")
    assert last_text(api, 707) == "Done: no more alerts for ChatGPT."
    await say("/unsubscribe")
    assert last_text(api, 707) == "Done: no more alerts for all platforms."
    await say("/unsubscribe")
    assert last_text(api, 707) == "There were no alerts to stop here."
    assert await rows(bot.store, "SELECT * FROM alert_subscriptions") == []
    await bot.stop()


async def test_privacy_lists_subscriptions_and_forget_erases_them(api, tmp_path, engine):
    bot = await Bot.start(api, f"sqlite:///{tmp_path}/db.sqlite3", engine)
    say = lambda t: bot.send(message(t, chat_id=708, sender=user(708)))  # noqa: E731
    await say("/subscribe linkedin")
    await say("/subscribe instagram")
    await bot.send(message("/subscribe all", chat_id=GROUP, sender=user(ADMIN)))
    await say("/privacy")
    assert last_text(api, 708).endswith(
        "Alerts: if you /subscribe, I store your user id (in a group: the group's id), the platforms and the "
        "language, and which alerts were sent, until /unsubscribe or /forget.\n"
        "Your alert subscriptions: Instagram, LinkedIn.")
    await bot.send(message("/privacy", chat_id=GROUP, sender=user(ADMIN)))
    assert last_text(api, GROUP).endswith("Your alert subscriptions: none.\nThis chat's alert subscriptions: all "
                                          "platforms (an admin can erase them with /forget group).")
    await bot.handlers.alerts.stop()
    await bot.reload(with_change(engine))  # a pending alert for 708 and the group, not sent yet
    assert len(await rows(bot.store, "SELECT * FROM alert_deliveries WHERE target = '708'")) == 1
    await say("/forget")
    assert last_text(api, 708) == "Done: I erased your settings, alert subscriptions and checklist progress. I keep no messages."
    assert await rows(bot.store, "SELECT * FROM alert_subscriptions WHERE target = '708'") == []
    assert await rows(bot.store, "SELECT * FROM alert_deliveries WHERE target = '708'") == []
    await say("/privacy")
    assert last_text(api, 708).endswith("Your alert subscriptions: none.")
    # the group's: /forget group, then the confirm button (an admin)
    await bot.send(message("/forget group", chat_id=GROUP, sender=user(ADMIN)))
    await bot.send(callback("fc", chat_id=GROUP, sender=user(ADMIN)))
    assert await rows(bot.store, "SELECT * FROM alert_subscriptions") == []
    assert await rows(bot.store, "SELECT * FROM alert_deliveries") == []
    await bot.stop()


async def test_new_lists_changes_with_a_button_each_in_english_and_spanish(api, tmp_path, engine, monkeypatch):
    from bot.core import alerts

    bot = await Bot.start(api, f"sqlite:///{tmp_path}/db.sqlite3", engine, alerts=False)
    monkeypatch.setattr(alerts, "today", lambda: dt.date(2026, 8, 31))  # 2026-08-12 and older are within 90 days
    await bot.send(message("/new", chat_id=709, sender=user(709)))
    [sent] = api.sent_to(709)
    assert sent["text"].startswith("What's new in the last 90 days, newest first:\n\n• 2026-08-12 · Twitch: Twitch's "
                                   "privacy notice now says it uses data")
    assert "\n\n• 2026-07-01 · Character.AI: " in sent["text"]
    assert sent["text"].endswith("Tap a platform for what to do now. /subscribe &lt;platform&gt; sends you its next "
                                 "change as one short message.")
    buttons = [b for row in sent["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["callback_data"] for b in buttons][:2] == ["a:twitch:ai-training:en", "a:character-ai:ai-training:en"]
    assert buttons[0]["text"] == "Twitch"
    await bot.send(callback(buttons[0]["callback_data"], chat_id=709, sender=user(709)))  # the button: the answer
    assert "Twitch" in last_text(api, 709)

    monkeypatch.setattr(alerts, "today", lambda: dt.date(2026, 11, 29))  # today: nothing in 90 days
    await bot.send(message("/new", chat_id=710, sender=user(710, language_code="es")))
    [sent] = api.sent_to(710)
    assert sent["text"].startswith("Ninguna plataforma cambió sus reglas sobre tus datos en los últimos 90 días. "
                                   "Los últimos cambios que conozco:\n\n• 2026-08-12 · Twitch: El aviso de privacidad")
    assert sent["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a:twitch:ai-training:es"
    await bot.send(message("/new x", chat_id=710, sender=user(710, language_code="es")))
    assert last_text(api, 710) == "Usa /new, o /new 180 para los últimos 180 días."
    await bot.stop()


async def test_the_command_menus_offer_the_alert_commands(api, tmp_path, engine):
    bot = await Bot.start(api, f"sqlite:///{tmp_path}/db.sqlite3", engine, alerts=False)
    await bot.handlers.post_init(bot.app)
    menus = {(str(c.params.get("scope")), c.params.get("language_code")): [x["command"] for x in c.params["commands"]]
             for c in api.find("setMyCommands")}
    private = next(v for k, v in menus.items() if "all_private_chats" in k[0] and k[1] is None)
    admins = next(v for k, v in menus.items() if "all_chat_administrators" in k[0] and k[1] == "es")
    assert private[-3:] == ["new", "subscribe", "unsubscribe"] and {"subscribe", "unsubscribe"} <= set(admins)
    await bot.stop()


async def test_group_subscriptions_follow_a_migration_and_go_when_the_bot_is_removed(api, tmp_path, engine):
    bot = await Bot.start(api, f"sqlite:///{tmp_path}/db.sqlite3", engine, alerts=False)
    await bot.send(message("/subscribe linkedin", chat_id=GROUP, sender=user(ADMIN)))
    await bot.send(message("", chat_id=GROUP, sender=user(ADMIN), migrate_to_chat_id=-100999))  # now a supergroup
    assert await rows(bot.store, "SELECT kind, target FROM alert_subscriptions") == [("chat", "-100999")]
    me = {"id": api.bot_id, "is_bot": True, "first_name": "OptOut", "username": api.username}
    await bot.send({"my_chat_member": {"chat": {"id": -100999, "type": "supergroup", "title": "G"},
                                       "from": user(ADMIN), "date": 0,
                                       "old_chat_member": {"status": "member", "user": me},
                                       "new_chat_member": {"status": "left", "user": me}}})
    assert await rows(bot.store, "SELECT * FROM alert_subscriptions") == []
    await bot.stop()


async def test_a_change_withdrawn_before_its_alert_went_out_is_not_sent(api, tmp_path, engine):
    bot = await Bot.start(api, f"sqlite:///{tmp_path}/db.sqlite3", engine)
    await bot.send(message("/subscribe linkedin", chat_id=711, sender=user(711)))
    await bot.handlers.alerts.stop()
    await bot.reload(with_change(engine))  # queued...
    await bot.reload(engine)  # ...and the curator took it back out before any process sent it
    bot.handlers.start_alerts(bot.app)
    await wait_done(bot.store)
    await settle((bot,), 0.4)
    assert alerts_to(api) == []
    assert await rows(bot.store, "SELECT state FROM alert_deliveries") == [("dropped",)]
    await bot.stop()

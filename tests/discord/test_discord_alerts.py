"""Policy-change alerts and /new in Discord: the real client (CommandTree, autocomplete, DynamicItem buttons,
HTTPClient with its rate limiting) against the fake REST server. Alerts to a person go to their DMs
(POST /users/@me/channels, then the DM channel's messages); a server channel's alerts go to that channel."""
from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from discord_payloads import (ADMIN_ID, ADMIN_PERMS, CHANNEL_ID, MANAGE_GUILD, MEMBER_PERMS, USER_ID, autocomplete,
                              component, custom_ids, slash)
from sqlalchemy import text

from bot.adapters.discord_app import alerts as alert_glue
from bot.core.store import Store
from tests.alert_helpers import NEW_EN, with_change

TODAY = dt.date.today().isoformat()
GULF = ("https://gulfnews.com/technology/linkedin-privacy-update-microsoft-can-use-your-data-from-nov-3-how-to-stop-"
        "it-1.500281615")
FAST = {"alerts_poll_seconds": 0.2, "alerts_send_interval": 0.0}
ALERT_TABLES = ("alert_subscriptions", "alert_changes", "alert_deliveries", "alert_meta")


async def rows(store: Store, sql: str) -> list[tuple]:
    async with store._engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(text(sql))).all()]


def alert_posts(fake) -> list:
    return [r for r in fake.find("POST", r"/channels/\d+/messages")
            if r.status < 300 and (r.json or {}).get("content", "").startswith("🔔")]


async def start_alerts(harness):
    dispatcher = alert_glue.start(harness.client)  # what on_ready does
    for _ in range(100):  # the first run records the known changes
        if await rows(harness.store, "SELECT 1 FROM alert_meta"):
            return dispatcher
        await asyncio.sleep(0.02)
    raise AssertionError("no baseline recorded")


async def test_a_dm_subscriber_gets_one_alert_with_the_full_answer_button(harness_factory, engine):
    h = await harness_factory(settings_kw=FAST)
    await h.interaction(slash("subscribe", {"platform": "linkedin"}, dm=True))
    assert h.fake.replies()[-1]["content"] == ("Subscribed: when LinkedIn changes how it uses your data for AI, I'll "
                                              "send you one short message here with what to do. /unsubscribe "
                                              "linkedin stops it.")
    assert await rows(h.store, "SELECT surface, kind, target, platform, lang FROM alert_subscriptions") == [
        ("discord", "user", str(USER_ID), "linkedin", "en")]
    await start_alerts(h)
    await h.client.conv.reload(lambda: with_change(engine))
    await h.fake.wait_for("POST", r"/channels/\d+/messages", timeout=5)
    await asyncio.sleep(0.6)
    [dm] = h.fake.find("POST", "/users/@me/channels")
    assert dm.json == {"recipient_id": USER_ID}
    [post] = alert_posts(h.fake)
    assert post.path == f"/channels/{h.fake.dm_channels[str(USER_ID)]}/messages"
    esc = lambda s: s.replace("-", "\\-")  # noqa: E731 - Discord markdown escaping of the change's text
    assert post.json["content"].startswith(f"🔔 LinkedIn changed how it uses your data \\({esc(TODAY)}\\):\n"
                                           f"{esc(NEW_EN)}\n\nWhat to do now: In the app: Tap")
    assert custom_ids(post.json) == ["oo:x:a:linkedin:ai-training:en"]
    links = [c for row in post.json["components"] for c in row["components"] if c.get("url")]
    assert [c["url"] for c in links] == [GULF]
    # the button answers in the DM, through the same press mechanism as every button
    shown = {**h.fake.messages[-1], "channel_id": h.fake.dm_channels[str(USER_ID)]}
    await h.interaction(component("oo:x:a:linkedin:ai-training:en", shown, dm=True))
    assert "LinkedIn" in str(h.fake.replies()[-1])
    assert await rows(h.store, "SELECT state FROM alert_deliveries") == [("sent",)]


async def test_a_server_channel_needs_manage_server_to_subscribe(harness_factory, engine):
    h = await harness_factory(settings_kw=FAST)
    for perms in (MEMBER_PERMS, ADMIN_PERMS):  # Manage Channels is not enough
        await h.interaction(slash("subscribe", {"platform": "all"}, user_id=ADMIN_ID, permissions=perms))
        assert h.fake.replies()[-1]["content"].startswith("Only this chat's admins can subscribe it to alerts \\(on "
                                                          "Discord: members with Manage Server\\)")
    assert await rows(h.store, "SELECT * FROM alert_subscriptions") == []
    await h.interaction(slash("subscribe", {"platform": "all"}, user_id=ADMIN_ID, permissions=MEMBER_PERMS | MANAGE_GUILD))
    assert h.fake.replies()[-1]["content"].startswith("Subscribed: when any platform changes")
    assert await rows(h.store, "SELECT kind, target, platform FROM alert_subscriptions") == [
        ("chat", str(CHANNEL_ID), "all")]
    await start_alerts(h)
    await h.client.conv.reload(lambda: with_change(engine))
    await h.fake.wait_for("POST", rf"/channels/{CHANNEL_ID}/messages", timeout=5)
    await asyncio.sleep(0.6)
    assert [r.path for r in alert_posts(h.fake)] == [f"/channels/{CHANNEL_ID}/messages"]
    assert h.fake.find("POST", "/users/@me/channels") == []


async def test_a_user_who_cannot_be_messaged_is_unsubscribed(harness_factory, engine):
    h = await harness_factory(settings_kw=FAST)
    await h.interaction(slash("subscribe", {"platform": "linkedin"}, dm=True))
    await start_alerts(h)
    h.fake.fail("POST", r"/channels/\d+/messages", 403, body={"message": "Cannot send messages to this user",
                                                             "code": 50007})
    await h.client.conv.reload(lambda: with_change(engine))
    for _ in range(100):
        if not await rows(h.store, "SELECT * FROM alert_subscriptions"):
            break
        await asyncio.sleep(0.05)
    assert await rows(h.store, "SELECT * FROM alert_subscriptions") == []
    assert await rows(h.store, "SELECT * FROM alert_deliveries") == []
    assert alert_posts(h.fake) == []


async def test_two_clients_on_postgres_send_each_dm_once(harness_factory, engine, postgres_url):
    reset = await Store.open(postgres_url)
    async with reset._engine.begin() as conn:
        for table in ALERT_TABLES:
            await conn.execute(text(f"DELETE FROM {table}"))
    await reset.close()
    a = await harness_factory(settings_kw={**FAST, "database_url": postgres_url})
    b = await harness_factory(settings_kw={**FAST, "database_url": postgres_url})
    people = [USER_ID + 1000 + i for i in range(8)]
    for i, uid in enumerate(people):
        await (a if i % 2 else b).interaction(slash("subscribe", {"platform": "linkedin"}, dm=True, user_id=uid))
    await start_alerts(a)
    await start_alerts(b)
    newer = with_change(engine)
    await asyncio.gather(a.client.conv.reload(lambda: newer), b.client.conv.reload(lambda: newer))
    await a.fake.wait_for("POST", r"/channels/\d+/messages", count=len(people), timeout=10)
    await asyncio.sleep(1.0)
    dms = {a.fake.dm_channels[str(uid)]: uid for uid in people}
    assert sorted(dms[r.path.split("/")[2]] for r in alert_posts(a.fake)) == people  # each exactly once
    assert a.client.alerts.sent + b.client.alerts.sent == len(people)


async def test_new_lists_changes_with_buttons_and_autocomplete_offers_all(harness, monkeypatch):
    from bot.core import alerts

    monkeypatch.setattr(alerts, "today", lambda: dt.date(2026, 8, 31))
    await harness.interaction(slash("new", locale="es-ES"))
    reply = harness.fake.replies()[-1]
    assert reply["content"].startswith("Novedades de los últimos 90 días, de la más reciente a la más antigua:\n\n"
                                       "• 2026\\-08\\-12 · Twitch: ")
    assert custom_ids(reply)[:2] == ["oo:x:a:twitch:ai-training:es", "oo:x:a:character-ai:ai-training:es"]
    await harness.interaction(autocomplete("subscribe", {"platform": "al"}, "platform"))
    choices = harness.fake.callbacks()[-1]["data"]["choices"]
    assert choices[0] == {"name": "all", "value": "all"}
    await harness.interaction(autocomplete("unsubscribe", {"platform": "linked"}, "platform"))
    assert harness.fake.callbacks()[-1]["data"]["choices"][0]["value"] == "linkedin"


async def test_privacy_lists_and_forget_erases_discord_subscriptions(harness):
    await harness.interaction(slash("subscribe", {"platform": "chatgpt"}, dm=True))
    await harness.interaction(slash("privacy", dm=True))
    assert harness.fake.replies()[-1]["content"].endswith("Your alert subscriptions: ChatGPT.")
    await harness.interaction(slash("forget", dm=True))
    assert await rows(harness.store, "SELECT * FROM alert_subscriptions") == []
    await harness.interaction(slash("subscribe", dm=True))
    assert harness.fake.replies()[-1]["content"].startswith("No alerts here yet.")

"""Slash commands, autocomplete and the command sync, through the real CommandTree and Interaction code."""
from __future__ import annotations

import asyncio
import re

from discord_payloads import answer_ids, section_ids, GUILD_ID, USER_ID, autocomplete, components, custom_ids, slash
from fake_discord_rest import APP_ID

EPHEMERAL = 64


async def test_commands_are_synced_on_request_not_at_start(harness):
    assert not harness.fake.find("PUT", rf"/applications/{APP_ID}/commands")
    await harness.interaction(slash("help"))  # registered earlier, they work without a sync at start
    assert "/optout" in harness.fake.callbacks()[-1]["data"]["content"]


async def test_sync_registers_localised_commands(harness):
    await harness.client.sync_commands()
    [put] = harness.fake.find("PUT", rf"/applications/{APP_ID}/commands")
    cmds = {c["name"]: c for c in put.json}
    assert set(cmds) == {"optout", "ask", "platforms", "help", "privacy", "settings", "lang", "region", "letter", "forget", "faq",
                         "Answer opt-out question", "new", "subscribe", "unsubscribe", "checklist", "robots"}
    for name in set(cmds) - {"faq"}:  # a server app and a user-installed app, in servers, DMs and group DMs
        assert cmds[name]["integration_types"] == [0, 1] and cmds[name]["contexts"] == [0, 1, 2], name
    assert cmds["help"]["name_localizations"]["es-ES"] == "ayuda"
    optout = cmds["optout"]
    assert optout["name_localizations"] == {"en-US": "optout", "es-ES": "excluirme", "es-419": "excluirme"}
    assert optout["description_localizations"]["es-419"].startswith("Cómo evitar")
    platform, topic = optout["options"]
    assert platform["autocomplete"] is True and platform["required"] is True
    assert platform["name_localizations"]["es-ES"] == "plataforma"
    assert [c["value"] for c in topic["choices"]] == ["ai-training", "delete-data", "legal-objection", "region",
                                                      "past-training"]
    assert topic["choices"][1]["name_localizations"]["es-ES"] == "Borrar mis datos"
    faq = cmds["faq"]
    assert int(faq["default_member_permissions"]) == 1 << 4  # Manage Channels
    assert faq["contexts"] == [0] and faq["dm_permission"] is False  # servers only
    assert {o["name"] for o in faq["options"]} == {"on", "off", "post", "reset"}
    assert cmds["Answer opt-out question"]["type"] == 3
    assert cmds["Answer opt-out question"]["name_localizations"]["es-ES"] == "Responder sobre opt-out"
    for cmd in put.json:
        _check_schema(cmd)


_NAME = re.compile(r"^[-_\w]{1,32}$")


def _check_schema(item: dict, option: bool = False) -> None:
    """What Discord validates on sync (the fake does not): name and description rules, in every locale."""
    slash = option or item.get("type", 1) == 1  # context menu names may have spaces and capitals
    for name in [item["name"], *(item.get("name_localizations") or {}).values()]:
        assert len(name) <= 32 and (not slash or (_NAME.match(name) and name == name.lower())), name
    if slash:
        for desc in [item["description"], *(item.get("description_localizations") or {}).values()]:
            assert 1 <= len(desc) <= 100, desc
    for choice in item.get("choices", []):
        assert all(len(n) <= 100 for n in [choice["name"], *choice.get("name_localizations", {}).values()])
    assert len(item.get("options", [])) <= 25 and len(item.get("choices", [])) <= 25
    for option in item.get("options", []):
        _check_schema(option, option=True)


async def test_guild_sync_on_request(harness_factory):
    h = await harness_factory()
    await h.client.sync_commands(GUILD_ID)  # optout-bot discord sync --guild ID
    [put] = h.fake.find("PUT", rf"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
    assert len(put.json) == 17
    assert not h.fake.find("PUT", rf"/applications/{APP_ID}/commands")


async def test_optout_answers_ephemerally_with_buttons(harness):
    await harness.interaction(slash("optout", {"platform": "linkedin"}))
    [cb] = harness.fake.callbacks()
    assert cb["type"] == 4
    data = cb["data"]
    assert data["flags"] == EPHEMERAL
    assert data["allowed_mentions"] == {"parse": []}
    [embed] = data["embeds"]
    assert "LinkedIn" in embed["title"] and "Data for Generative AI Improvement" in embed["description"]
    assert custom_ids(data) == answer_ids("linkedin", "ai-training", "en", "")
    links = [c for c in components(data) if c["style"] == 5]
    assert 1 <= len(links) <= 3 and all(c["url"].startswith("https://") for c in links)


async def test_optout_resolves_typos_and_reports_unknown_names_escaped(harness):
    await harness.interaction(slash("optout", {"platform": "linkdin", "topic": "delete-data"}))
    await harness.interaction(slash("optout", {"platform": "@everyone **nope**"}))
    first, second = harness.fake.callbacks()
    assert custom_ids(first["data"]) == answer_ids("linkedin", "delete-data", "en", "")
    content = second["data"]["content"]
    assert "nope" in content and "**nope**" not in content and "@everyone" not in content
    assert second["data"]["flags"] == EPHEMERAL and second["data"]["allowed_mentions"] == {"parse": []}


async def test_optout_in_spanish_for_a_spanish_discord_locale(harness):
    await harness.interaction(slash("optout", {"platform": "instagram"}, locale="es-419"))
    [cb] = harness.fake.callbacks()
    assert custom_ids(cb["data"]) == answer_ids("instagram", "ai-training", "es", "")
    assert [c["label"] for c in components(cb["data"]) if "custom_id" in c] == [
        "Pasos y detalles", "Regiones", "Fuentes", "Publicar en el canal", "👍 Útil", "👎 No me sirvió"]


async def test_autocomplete_over_names_and_aliases(harness):
    await harness.interaction(autocomplete("optout", {"platform": "linkd"}, focused="platform"))
    await harness.interaction(autocomplete("optout", {"platform": ""}, focused="platform"))
    typed, empty = harness.fake.callbacks()
    assert typed["type"] == 8
    assert typed["data"]["choices"][0] == {"name": "LinkedIn", "value": "linkedin"}
    assert len(empty["data"]["choices"]) == 25


async def test_ask_answers_clarifies_and_abstains(harness):
    # four members, so that no question is read as a follow-up to another one's answer
    await harness.interaction(slash("ask", {"question": "how do I stop linkedin training ai on my data?"}, user_id=USER_ID))
    await harness.interaction(slash("ask", {"question": "how do I stop meta training ai on my data"}, user_id=USER_ID + 1))
    await harness.interaction(slash("ask", {"question": "opt out of ai training"}, user_id=USER_ID + 2))
    await harness.interaction(slash("ask", {"question": "what is the weather tomorrow"}, user_id=USER_ID + 3))
    answer, owner, generic, off_topic = (cb["data"] for cb in harness.fake.callbacks())
    assert custom_ids(answer) == answer_ids("linkedin", "ai-training", "en", "")
    assert [c["label"] for c in components(owner)] == ["Facebook", "Instagram", "Meta AI", "Threads", "WhatsApp"]
    assert custom_ids(owner)[0] == "oo:x:a:facebook:ai-training:en"
    [select] = components(generic)  # more than 5 candidates: a select menu
    assert select["type"] == 3 and select["custom_id"] == "oo:choose:ai-training:en:"
    assert "linkedin" in [o["value"] for o in select["options"]]
    assert off_topic["flags"] == EPHEMERAL and not components(off_topic)
    assert "/platforms" in off_topic["embeds"][0]["description"]


async def test_lang_region_and_forget(harness):
    await harness.interaction(slash("lang", {"language": "es"}))
    await harness.interaction(slash("region", {"region": "eu"}))
    await harness.interaction(slash("optout", {"platform": "linkedin"}))
    assert (await harness.store.user("discord", USER_ID)).lang == "es"
    await harness.interaction(slash("forget"))
    await harness.interaction(slash("forget"))
    lang, region, optout, forgot, nothing = harness.fake.replies()
    deferred = [cb["type"] for cb in harness.fake.callbacks()]
    assert deferred == [5, 5, 4, 5, 5]  # acknowledged before each settings write (Discord's 3 s window)
    assert lang["content"] == "Idioma: español."
    assert "UE/EEE" in region["content"]
    assert custom_ids(optout) == answer_ids("linkedin", "ai-training", "es", "eu")
    assert forgot["content"].startswith("Hecho")
    assert "nothing stored" in nothing["content"]  # settings gone: back to the Discord locale (English)
    assert (await harness.store.user("discord", USER_ID)).lang is None


async def test_platforms_lists_the_index_with_a_select_menu(harness):
    await harness.interaction(slash("platforms"))
    [cb] = harness.fake.callbacks()
    data = cb["data"]
    assert data["flags"] == EPHEMERAL
    assert "LinkedIn" in data["embeds"][0]["description"]
    [select] = components(data)
    assert select["custom_id"] == "oo:choose:ai-training::" and len(select["options"]) == 25


async def test_slow_answer_is_deferred_then_sent_as_followup(harness, monkeypatch):
    harness.client.defer_after = 0.01
    real = harness.client.conv.message

    async def slow(*args, **kw):
        await asyncio.sleep(0.1)
        return await real(*args, **kw)

    monkeypatch.setattr(harness.client.conv, "message", slow)
    await harness.interaction(slash("ask", {"question": "does linkedin use my posts for ai?"}))
    [cb] = harness.fake.callbacks()
    assert cb == {"type": 5, "data": {"flags": EPHEMERAL}}
    [followup] = await harness.fake.wait_for("POST", rf"/webhooks/{APP_ID}/[^/]+")
    assert followup.json["flags"] == EPHEMERAL and followup.json["embeds"]
    await asyncio.sleep(0)


async def test_command_sync_errors_do_not_stop_the_bot(fake, harness_factory, caplog):
    fake.fail("PUT", rf"/applications/{APP_ID}/commands", 403)
    h = await harness_factory()
    assert await h.client.sync_commands() == []
    assert "Could not sync the slash commands (HTTP 403" in caplog.text
    await h.interaction(slash("platforms"))  # commands registered earlier still work
    assert h.fake.callbacks()
    fake.fail("PUT", rf"/applications/{APP_ID}/commands", 429, body={"message": "rate limited", "retry_after": 120,
                                                                    "global": False})
    await (await harness_factory()).client.sync_commands()
    assert "rate limited for 120 s" in caplog.text


async def test_letter_gives_a_copyable_objection_letter_with_links(harness):
    await harness.interaction(slash("letter", {"platform": "insta"}, locale="es-ES"))
    await harness.interaction(slash("letter", {"platform": "<@123> nada"}))
    letter, unknown = (cb["data"] for cb in harness.fake.callbacks())
    assert letter["flags"] == EPHEMERAL and letter["allowed_mentions"] == {"parse": []}
    [embed] = letter["embeds"]
    assert "Instagram" in embed["title"] and "```" in embed["description"]
    assert "artículo 21.1 del RGPD" in embed["description"]
    assert all(c["style"] == 5 and c["url"].startswith("https://") for c in components(letter))
    assert unknown["flags"] == EPHEMERAL and "<@123>" not in unknown["content"]


async def test_ask_falls_back_to_the_discord_locale_when_the_text_shows_no_language(harness):
    await harness.interaction(slash("ask", {"question": "linkedin"}, locale="es-ES"))
    [cb] = harness.fake.callbacks()
    assert custom_ids(cb["data"]) == answer_ids("linkedin", "ai-training", "es", "")


async def test_user_installed_app_answers_in_a_dm_and_in_a_server_it_is_not_in(harness):
    """allowed_installs: a member who installed the app to their account uses it in DMs and in other servers."""
    await harness.interaction(slash("optout", {"platform": "linkedin"}, dm=True,
                                    authorizing_integration_owners={"1": str(USER_ID)}))
    [dm] = harness.fake.callbacks()
    assert dm["type"] == 4 and dm["data"]["flags"] == EPHEMERAL
    assert "Data for Generative AI Improvement" in dm["data"]["embeds"][0]["description"]
    foreign = slash("ask", {"question": "does reddit use my posts for ai?"},
                    authorizing_integration_owners={"1": str(USER_ID)}, guild_id="800000000000009999",
                    context=0)
    await harness.interaction(foreign)
    answer = harness.fake.callbacks()[-1]["data"]
    assert "Reddit" in answer["embeds"][0]["title"]


async def test_help_and_privacy_commands(harness):
    await harness.interaction(slash("help", locale="es-ES"))
    await harness.interaction(slash("privacy"))
    help_, privacy = (cb["data"] for cb in harness.fake.callbacks())
    assert "/optout" in help_["content"] and help_["flags"] == EPHEMERAL
    assert "No message text" in privacy["content"]


async def test_letter_is_rate_limited_like_every_command(harness):
    for _ in range(14):
        await harness.interaction(slash("letter", {"platform": "instagram"}))
    replies = [cb["data"] for cb in harness.fake.callbacks()]
    assert sum(1 for r in replies if r.get("embeds")) == 12  # Limits.user: 12 a minute
    assert replies[12]["content"] == replies[13]["content"] == "You're asking very fast; please wait a moment."


async def test_a_topic_outside_the_choices_gets_the_usage_not_a_traceback(harness, caplog):
    """F-11: discord.py does not check choices; a forged topic gets the usage, never an error."""
    await harness.interaction(slash("optout", {"platform": "linkedin", "topic": "website-crawlers"}))
    await harness.interaction(slash("optout", {"platform": "linkedin", "topic": "zzz"}))
    for data in harness.fake.replies():
        assert data["content"] == "Use /optout <\u200bplatform\\>, for example /optout linkedin."
    assert "failed" not in caplog.text


async def test_settings_shows_both_with_buttons_that_set_them(harness):
    from discord_payloads import component

    await harness.interaction(slash("settings", locale="es-ES"))
    shown = harness.fake.messages[-1]
    assert "Idioma: Español · Región: sin elegir" in harness.fake.replies()[-1]["content"]
    assert "oo:x:set:region:eu" in custom_ids(harness.fake.replies()[-1])
    await harness.interaction(component("oo:x:set:region:eu", shown, locale="es-ES"))
    assert "UE/EEE" in harness.fake.replies()[-1]["content"]
    assert (await harness.store.user("discord", USER_ID)).region == "eu"

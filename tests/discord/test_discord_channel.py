"""Channel messages (mentions, DMs, the opt-in FAQ), the context menu, and REST errors (403, 404, 429)."""
from __future__ import annotations

import logging

from discord_payloads import (answer_ids, section_ids, ADMIN_ID, ADMIN_PERMS, BOT_ROLE_ID, CHANNEL_ID, DM_CHANNEL_ID, OTHER_CHANNEL_ID, context_menu,
                              custom_ids, message, slash)

EPHEMERAL = 64
SENT = rf"/channels/{CHANNEL_ID}/messages"
CLEAR = "how do I stop linkedin training ai on my data?"


async def faq(h, action: str, channel_id: int = CHANNEL_ID, **kw) -> dict:
    kw.setdefault("user_id", ADMIN_ID)
    kw.setdefault("permissions", ADMIN_PERMS)
    await h.interaction(slash("faq", sub=action, channel_id=channel_id, **kw))
    return h.fake.replies()[-1]


async def test_mention_is_answered_as_a_reply_without_pinging(harness):
    msg = message(f"<@{harness.client.user.id}> {CLEAR}", mention_bot=True)
    await harness.message(msg)
    [sent] = harness.fake.find("POST", SENT)
    assert str(sent.json["message_reference"]["message_id"]) == msg["id"]
    assert sent.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert "LinkedIn" in sent.json["embeds"][0]["title"]
    assert custom_ids(sent.json) == section_ids("linkedin")  # already public: no "Post publicly"; details privately


async def test_mentioning_the_bots_role_counts_as_addressing_it(harness):
    await harness.message(message(f"<@&{BOT_ROLE_ID}> {CLEAR}", mention_role=True))
    [sent] = harness.fake.find("POST", SENT)
    assert "LinkedIn" in sent.json["embeds"][0]["title"]


async def test_bare_mention_gets_help_and_out_of_scope_mention_gets_the_polite_abstain(harness):
    await harness.message(message(f"<@{harness.client.user.id}>", mention_bot=True))
    await harness.message(message(f"<@{harness.client.user.id}> what's the weather?", mention_bot=True))
    help_msg, abstain = harness.fake.find("POST", SENT)
    assert "/optout" in help_msg.json["content"]
    assert "/platforms" in abstain.json["embeds"][0]["description"]


async def test_channel_chatter_is_ignored_while_faq_is_off(harness):
    await harness.message(message(CLEAR))
    assert not harness.fake.find("POST", SENT)


async def test_faq_answers_only_clear_questions_once_per_cooldown(harness):
    on = await faq(harness, "on")
    assert on.get("flags", 0) == 0 and "FAQ mode is on" in on["content"]  # public: members see the bot reads along
    assert (await harness.store.chat("discord", CHANNEL_ID)).faq is True
    await harness.message(message(CLEAR))
    await harness.message(message(CLEAR))  # same answer again: cooldown
    await harness.message(message("how do I stop meta training ai on my data"))  # would be clarify: silent
    await harness.message(message("lol anyone up for lunch"))  # chatter: silent
    await harness.message(message("does reddit use my posts for ai?", bot_author=True))  # bots: never
    await harness.message(message(CLEAR, channel_id=OTHER_CHANNEL_ID))  # FAQ is per channel
    [sent] = harness.fake.find("POST", SENT)
    assert "LinkedIn" in sent.json["embeds"][0]["title"]
    assert not harness.fake.find("POST", rf"/channels/{OTHER_CHANNEL_ID}/messages")
    await harness.message(message("does reddit use my posts for ai?"))  # another answer: not on cooldown
    assert len(harness.fake.find("POST", SENT)) == 2


async def test_faq_needs_manage_server_and_survives_a_restart(harness_factory):
    first = await harness_factory()
    denied = await faq(first, "on", user_id=800000000000000100, permissions=0)
    assert denied["flags"] == EPHEMERAL and "Only chat admins" in denied["content"]
    assert (await first.store.chat("discord", CHANNEL_ID)).faq is False
    await faq(first, "on")
    second = await harness_factory()  # a new process on the same DATABASE_URL
    await second.message(message(CLEAR))
    assert len(second.fake.find("POST", SENT)) == 1
    off = await faq(second, "off")
    assert "FAQ mode is off" in off["content"]
    assert (await second.store.faq_chats("discord")) == []


async def test_faq_post_publishes_the_index(harness):
    data = await faq(harness, "post")
    assert data.get("flags", 0) == 0 and data["embeds"][0]["title"]
    assert data["components"][0]["components"][0]["custom_id"] == "oo:choose:ai-training::"


async def test_dm_questions_are_answered(harness):
    await harness.message(message("does reddit use my posts for ai?", dm=True))
    await harness.message(message("what's the weather?", dm=True))
    answer, abstain = harness.fake.find("POST", rf"/channels/{DM_CHANNEL_ID}/messages")
    assert "Reddit" in answer.json["embeds"][0]["title"]
    assert "/platforms" in abstain.json["embeds"][0]["description"]


async def test_context_menu_answers_the_message_as_a_reply(harness):
    target = message(CLEAR)
    await harness.interaction(context_menu("Answer opt-out question", target))
    [deferred] = harness.fake.callbacks()
    assert deferred == {"type": 5, "data": {"flags": EPHEMERAL}}
    [sent] = harness.fake.find("POST", SENT)
    assert str(sent.json["message_reference"]["message_id"]) == target["id"]
    assert sent.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert harness.fake.find("DELETE", r"/webhooks/\d+/[^/]+/messages/@original")


async def test_context_menu_on_unclear_or_empty_messages_answers_privately(harness):
    await harness.interaction(context_menu("Answer opt-out question", message("how do I stop meta training ai")))
    await harness.interaction(context_menu("Answer opt-out question", message("")))
    assert not harness.fake.find("POST", SENT)
    [followup] = harness.fake.find("POST", r"/webhooks/\d+/[^/]+")
    assert followup.json["flags"] == EPHEMERAL and custom_ids(followup.json)[0].startswith("oo:x:a:")
    assert "no text" in harness.fake.callbacks()[-1]["data"]["content"]


async def test_context_menu_403_falls_back_to_a_private_answer(harness, caplog):
    harness.fake.fail("POST", SENT, 403)
    await harness.interaction(context_menu("Answer opt-out question", message(CLEAR)))
    [followup] = harness.fake.find("POST", r"/webhooks/\d+/[^/]+")
    assert followup.json["flags"] == EPHEMERAL and "can't post in this channel" in followup.json["content"]
    assert custom_ids(followup.json) == answer_ids("linkedin", "ai-training", "en", "")  # they can still post it publicly
    assert "No permission to reply" in caplog.text


async def test_403_on_a_faq_reply_is_logged_and_the_bot_carries_on(harness, caplog):
    await faq(harness, "on")
    harness.fake.fail("POST", SENT, 403)
    await harness.message(message(CLEAR))
    await harness.message(message("does reddit use my posts for ai?"))
    assert [r.status for r in harness.fake.find("POST", SENT)] == [403, 200]
    assert any(r.levelno == logging.WARNING and "No permission" in r.getMessage() for r in caplog.records)


async def test_404_unknown_interaction_is_logged_not_raised(harness, caplog):
    harness.fake.fail("POST", r"/interactions/\d+/[^/]+/callback", 404, times=2)
    await harness.interaction(slash("platforms"))
    assert "interaction expired" in caplog.text


async def test_429_is_retried(harness):
    harness.fake.fail("POST", SENT, 429)
    await harness.message(message(f"<@{harness.client.user.id}> {CLEAR}", mention_bot=True))
    assert [r.status for r in harness.fake.find("POST", SENT)] == [429, 200]


async def test_without_message_content_intent(harness_factory):
    h = await harness_factory(message_content=False)
    on = await faq(h, "on")
    assert "Message Content intent" in on["content"]
    await h.message(message(""))  # what Discord delivers for a channel message without the intent
    assert not h.fake.find("POST", SENT)
    await h.message(message(f"<@{h.client.user.id}> {CLEAR}", mention_bot=True))  # mentions keep their content
    assert len(h.fake.find("POST", SENT)) == 1


async def test_settings_go_when_the_channel_is_deleted(harness):
    await faq(harness, "on")
    await harness.event("channel_delete", {"id": str(CHANNEL_ID), "type": 0, "guild_id": "800000000000000001"})
    assert (await harness.store.faq_chats("discord")) == []


async def test_a_short_setup_note_on_joining_a_server(harness_factory):
    from discord_payloads import GUILD_ID, guild

    h = await harness_factory(guild_payload={**guild(), "system_channel_id": str(CHANNEL_ID)})
    await h.client.on_guild_join(h.client.get_guild(GUILD_ID))
    [note] = h.fake.find("POST", SENT)
    assert "/faq on" in note.json["content"] and "Manage Channels" in note.json["content"]
    assert note.json["allowed_mentions"]["parse"] == []


async def test_a_follow_up_mention_gets_the_same_platform(harness):
    bot = f"<@{harness.client.user.id}>"
    await harness.message(message(f"{bot} {CLEAR}", mention_bot=True))
    await harness.message(message(f"{bot} and what if I'm in the UK?", mention_bot=True))
    first, second = harness.fake.find("POST", SENT)
    assert "LinkedIn" in second.json["embeds"][0]["title"]
    assert "ICO" in str(second.json["embeds"])  # LinkedIn's UK line: paused after the ICO stepped in

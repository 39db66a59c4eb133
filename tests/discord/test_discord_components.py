"""Buttons and select menus: real component interactions routed by discord.py's ViewStore to our DynamicItems."""
from __future__ import annotations

from discord_payloads import ADMIN_ID, ADMIN_PERMS, component, components, custom_ids, slash

EPHEMERAL = 64


async def test_post_publicly_posts_the_answer_in_the_channel(harness):
    await harness.interaction(slash("optout", {"platform": "linkedin", "topic": "delete-data"}))
    shown = harness.fake.messages[-1]
    assert shown["flags"] == EPHEMERAL
    await harness.interaction(component("oo:pub:linkedin:delete-data:en:", shown))
    _, public = harness.fake.callbacks()
    assert public["type"] == 4 and public["data"].get("flags", 0) == 0
    assert public["data"]["allowed_mentions"] == {"parse": []}
    assert "LinkedIn" in public["data"]["embeds"][0]["title"]
    assert custom_ids(public["data"]) == []  # no second "Post publicly"; the link buttons stay
    assert all(c["style"] == 5 for c in components(public["data"]))


async def test_buttons_work_after_a_restart(harness_factory):
    """Buttons carry their state in custom_id: a new process answers clicks on old messages."""
    first = await harness_factory()
    await first.interaction(slash("optout", {"platform": "reddit"}))
    shown = first.fake.messages[-1]
    second = await harness_factory()
    await second.interaction(component("oo:pub:reddit:ai-training:en:", shown))
    assert second.fake.callbacks()[-1]["data"].get("flags", 0) == 0


async def test_clarify_button_replaces_the_question_with_the_answer(harness):
    await harness.interaction(slash("ask", {"question": "how do I stop meta training ai on my data"}))
    shown = harness.fake.messages[-1]
    await harness.interaction(component("oo:pick:instagram:ai-training:en:", shown))
    _, picked = harness.fake.callbacks()
    assert picked["type"] == 7  # the ephemeral "which platform?" message is edited in place
    assert "Instagram" in picked["data"]["embeds"][0]["title"]
    assert custom_ids(picked["data"]) == ["oo:pub:instagram:ai-training:en:"]


async def test_select_menu_pick(harness):
    await harness.interaction(slash("ask", {"question": "opt out of ai training"}))
    shown = harness.fake.messages[-1]
    await harness.interaction(component("oo:choose:ai-training:en:", shown, values=["chatgpt"]))
    _, picked = harness.fake.callbacks()
    assert picked["type"] == 7 and "ChatGPT" in picked["data"]["embeds"][0]["title"]


async def test_pick_on_a_public_index_answers_only_the_clicker(harness):
    await harness.interaction(slash("faq", sub="post", user_id=ADMIN_ID, permissions=ADMIN_PERMS))
    index = harness.fake.messages[-1]
    assert index["flags"] == 0 and "LinkedIn" in index["embeds"][0]["description"]
    await harness.interaction(component("oo:choose:ai-training::", index, values=["linkedin"], locale="es-ES"))
    _, picked = harness.fake.callbacks()
    assert picked["type"] == 4 and picked["data"]["flags"] == EPHEMERAL  # the pinned index stays as it is
    assert custom_ids(picked["data"]) == ["oo:pub:linkedin:ai-training:es:"]  # in the clicker's language


async def test_unknown_platform_in_a_forged_custom_id(harness):
    await harness.interaction(slash("platforms"))
    shown = harness.fake.messages[-1]
    await harness.interaction(component("oo:choose:ai-training::", shown, values=["no-such-platform"]))
    _, reply = harness.fake.callbacks()
    assert reply["data"]["flags"] == EPHEMERAL and "no\\-such\\-platform" in reply["data"]["content"]


async def test_a_public_post_shows_every_region_not_just_the_posters(harness):
    await harness.interaction(slash("region", {"region": "eu"}))
    await harness.interaction(slash("optout", {"platform": "linkedin"}))
    private = harness.fake.callbacks()[-1]["data"]
    assert "📍 EU/EEA" in private["embeds"][0]["description"]
    await harness.interaction(component("oo:pub:linkedin:ai-training:en:eu", harness.fake.messages[-1]))
    public = harness.fake.callbacks()[-1]["data"]
    assert "📍" not in public["embeds"][0]["description"]  # the poster's region is theirs, not the channel's

"""Buttons and select menus: real component interactions routed by discord.py's ViewStore to our DynamicItems."""
from __future__ import annotations

from discord_payloads import answer_ids, section_ids, ADMIN_ID, ADMIN_PERMS, component, components, custom_ids, slash

EPHEMERAL = 64


async def test_post_publicly_posts_the_answer_in_the_channel(harness):
    await harness.interaction(slash("optout", {"platform": "linkedin", "topic": "delete-data"}))
    shown = harness.fake.messages[-1]
    assert shown["flags"] == EPHEMERAL
    await harness.interaction(component("oo:x:p:linkedin:delete-data:en", shown))
    _, public = harness.fake.callbacks()
    assert public["type"] == 4 and public["data"].get("flags", 0) == 0
    assert public["data"]["allowed_mentions"] == {"parse": []}
    assert "LinkedIn" in public["data"]["embeds"][0]["title"]
    assert custom_ids(public["data"]) == section_ids("linkedin", "delete-data")  # no second "Post publicly"
    assert any(c["style"] == 5 for c in components(public["data"]))  # the link buttons stay


async def test_post_publicly_is_limited_per_member_and_channel(harness):
    """F-3: one member cannot make the bot post dozens of answers in a channel."""
    await harness.interaction(slash("optout", {"platform": "linkedin"}))
    shown = harness.fake.messages[-1]
    for _ in range(6):
        await harness.interaction(component("oo:x:p:linkedin:ai-training:en", shown))
    public = [cb for cb in harness.fake.callbacks()[1:] if cb["data"].get("flags", 0) == 0]
    assert len(public) == 3  # Limits.public_user: 3 a minute


async def test_details_and_sources_answer_only_the_clicker_and_drop_nothing(harness):
    await harness.interaction(slash("optout", {"platform": "facebook"}, locale="es-ES"))
    shown = harness.fake.messages[-1]
    for name in ("details", "regions", "sources"):
        await harness.interaction(component(f"oo:x:s:facebook:ai-training:es::{name}", shown, locale="es-ES"))
    details, regions, sources = (cb["data"] for cb in harness.fake.callbacks()[1:])
    assert all(d["flags"] == EPHEMERAL for d in (details, regions, sources))
    fields = [f["name"] for e in details["embeds"] for f in e.get("fields", [])]
    assert "Cómo hacerlo: En la web" in fields and "Conviene saber" in fields and "⚠️ Sin confirmar" in fields
    assert "Por región" in [f["name"] for e in regions["embeds"] for f in e.get("fields", [])]
    assert sources["embeds"][0]["footer"]["text"].startswith("Comprobado el 2026-")


async def test_a_button_from_before_oo_x_still_answers(harness):
    await harness.interaction(slash("optout", {"platform": "reddit"}))
    legacy = {**harness.fake.messages[-1], "components": [{"type": 1, "components": [
        {"type": 2, "style": 1, "label": "Post publicly", "custom_id": "oo:pub:reddit:ai-training:en:"}]}]}
    await harness.interaction(component("oo:pub:reddit:ai-training:en:", legacy))
    assert harness.fake.callbacks()[-1]["data"].get("flags", 0) == 0


async def test_buttons_work_after_a_restart(harness_factory):
    """Buttons carry their state in custom_id: a new process answers clicks on old messages."""
    first = await harness_factory()
    await first.interaction(slash("optout", {"platform": "reddit"}))
    shown = first.fake.messages[-1]
    second = await harness_factory()
    await second.interaction(component("oo:x:p:reddit:ai-training:en", shown))
    assert second.fake.callbacks()[-1]["data"].get("flags", 0) == 0


async def test_clarify_button_replaces_the_question_with_the_answer(harness):
    await harness.interaction(slash("ask", {"question": "how do I stop meta training ai on my data"}))
    shown = harness.fake.messages[-1]
    await harness.interaction(component("oo:x:a:instagram:ai-training:en", shown))
    _, picked = harness.fake.callbacks()
    assert picked["type"] == 7  # the ephemeral "which platform?" message is edited in place
    assert "Instagram" in picked["data"]["embeds"][0]["title"]
    assert custom_ids(picked["data"]) == answer_ids("instagram", "ai-training", "en", "")


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
    assert custom_ids(picked["data"]) == answer_ids("linkedin", "ai-training", "es", "")  # in the clicker's language


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
    await harness.interaction(component("oo:x:p:linkedin:ai-training:en", harness.fake.messages[-1]))
    public = harness.fake.callbacks()[-1]["data"]
    assert "📍" not in public["embeds"][0]["description"]  # the poster's region is theirs, not the channel's

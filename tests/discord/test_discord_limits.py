"""Discord's message limits: embeds are cut and split before sending, and long answers become several messages."""
from __future__ import annotations

from discord_payloads import slash
from fake_discord_rest import APP_ID

from bot.adapters.discord_app.payloads import LIMITS, batches, embed_size, fit_embed
from bot.core.render import Rendered


def huge_embed(i: int = 0) -> dict:
    return {"title": "T" * 300, "description": "D" * 5000, "footer": {"text": "F" * 3000},
            "fields": [{"name": f"N{i}-{n}" * 100, "value": "V" * 2000} for n in range(30)]}


def test_fit_embed_respects_every_limit():
    d = fit_embed(huge_embed())
    assert len(d["title"]) == 256 and d["title"].endswith("…")
    assert len(d["description"]) <= 4096 and len(d["footer"]["text"]) <= 2048
    assert embed_size(d) <= 6000
    d = fit_embed({**huge_embed(), "description": "short", "footer": {"text": "checked"}})
    assert 1 <= len(d["fields"]) <= 25  # the last fields go first, to stay within 6000 in all
    assert all(len(f["name"]) <= 256 and len(f["value"]) <= 1024 for f in d["fields"])
    assert embed_size(d) <= 6000


def test_batches_split_at_6000_characters_and_10_embeds():
    groups = batches([huge_embed(i) for i in range(3)] + [{"description": "x"}] * 12)
    assert all(len(g) <= 10 and sum(embed_size(e.to_dict()) for e in g) <= LIMITS["total"] for g in groups)
    assert sum(len(g) for g in groups) == 15


async def test_a_long_answer_is_sent_as_several_messages(harness, monkeypatch):
    real = harness.client.renderer.render

    def render(answer, fmt):
        r = real(answer, fmt)
        return Rendered(r.text, [], [huge_embed(0), huge_embed(1)], r.links)

    monkeypatch.setattr(harness.client.renderer, "render", render)
    await harness.interaction(slash("optout", {"platform": "linkedin"}))
    [cb] = harness.fake.callbacks()
    [followup] = harness.fake.find("POST", rf"/webhooks/{APP_ID}/[^/]+")
    assert cb["data"]["flags"] == followup.json["flags"] == 64
    assert "components" not in cb["data"] or not cb["data"]["components"]
    assert followup.json["components"]  # the buttons go under the last part

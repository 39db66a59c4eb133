"""Builders for the Discord gateway payloads the tests send (guild, messages, interactions)."""
from __future__ import annotations

import itertools
from pathlib import Path

from fake_discord_rest import APP_ID, BOT_ID, TIMESTAMP

TOKEN = "fake-discord-token-SECRET-1234567890"
GUILD_ID = 800000000000000001
CHANNEL_ID = 800000000000000010
OTHER_CHANNEL_ID = 800000000000000011
DM_CHANNEL_ID = 800000000000000020
BOT_ROLE_ID = 800000000000000050  # the role Discord creates for the bot when it joins
USER_ID = 800000000000000100
ADMIN_ID = 800000000000000101

MANAGE_GUILD = 1 << 5
MANAGE_CHANNELS = 1 << 4
MEMBER_PERMS = (1 << 10) | (1 << 11) | (1 << 31)  # view channel, send messages, use application commands
ADMIN_PERMS = MEMBER_PERMS | MANAGE_CHANNELS

_ids = itertools.count(700000000000000001)


def new_id() -> str:
    return str(next(_ids))


def user(user_id: int = USER_ID, name: str = "alice") -> dict:
    return {"id": str(user_id), "username": name, "discriminator": "0", "global_name": name.title(),
            "avatar": None}


def member(user_id: int = USER_ID, name: str = "alice", permissions: int | None = None) -> dict:
    m = {"user": user(user_id, name), "roles": [], "joined_at": TIMESTAMP, "deaf": False, "mute": False,
         "flags": 0}
    if permissions is not None:
        m["permissions"] = str(permissions)
    return m


def channel(channel_id: int = CHANNEL_ID, name: str = "general") -> dict:
    return {"id": str(channel_id), "type": 0, "name": name, "position": 0, "guild_id": str(GUILD_ID),
            "permission_overwrites": [], "nsfw": False, "parent_id": None}


def guild() -> dict:
    members = [member(USER_ID, "alice"), member(ADMIN_ID, "admin"),
               {**member(BOT_ID, "optout"), "user": {**user(BOT_ID, "optout"), "bot": True}}]
    return {
        "id": str(GUILD_ID), "name": "Test Server", "owner_id": str(ADMIN_ID), "icon": None,
        "roles": [{"id": str(GUILD_ID), "name": "@everyone", "permissions": str(MEMBER_PERMS), "position": 0,
                   "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0},
                  {"id": str(BOT_ROLE_ID), "name": "optout", "permissions": str(MEMBER_PERMS), "position": 1,
                   "color": 0, "hoist": False, "managed": True, "mentionable": True, "flags": 0,
                   "tags": {"bot_id": str(BOT_ID)}}],
        "channels": [channel(CHANNEL_ID, "general"), channel(OTHER_CHANNEL_ID, "help")],
        "members": members, "member_count": len(members), "threads": [], "emojis": [], "stickers": [],
        "features": [], "voice_states": [], "presences": [], "large": False, "unavailable": False,
        "preferred_locale": "en-US", "joined_at": TIMESTAMP, "verification_level": 0,
        "default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0,
        "premium_tier": 0, "system_channel_flags": 0, "afk_timeout": 300,
    }


def message(content: str, *, channel_id: int = CHANNEL_ID, author_id: int = USER_ID, mention_bot: bool = False,
            dm: bool = False, bot_author: bool = False, msg_id: str | None = None, mention_role: bool = False) -> dict:
    author = user(author_id, "alice")
    if bot_author:
        author["bot"] = True
    msg = {
        "id": msg_id or new_id(), "channel_id": str(DM_CHANNEL_ID if dm else channel_id), "type": 0,
        "author": author, "content": content, "embeds": [], "components": [], "attachments": [],
        "mentions": [user(BOT_ID, "optout") | {"bot": True}] if mention_bot else [],
        "mention_roles": [str(BOT_ROLE_ID)] if mention_role else [],
        "mention_everyone": False, "pinned": False, "tts": False, "timestamp": TIMESTAMP,
        "edited_timestamp": None, "flags": 0,
    }
    if not dm:
        msg["guild_id"] = str(GUILD_ID)
        msg["member"] = {k: v for k, v in member(author_id).items() if k != "user"}
    return msg


def _interaction(kind: int, data: dict, *, user_id: int = USER_ID, permissions: int = MEMBER_PERMS,
                 locale: str = "en-US", dm: bool = False, channel_id: int = CHANNEL_ID, **extra) -> dict:
    payload = {
        "id": new_id(), "application_id": str(APP_ID), "type": kind, "token": "itoken-" + new_id(),
        "version": 1, "data": data, "locale": locale, "app_permissions": str(MEMBER_PERMS),
        "entitlements": [], "authorizing_integration_owners": {"0": str(GUILD_ID)}, "attachment_size_limit": 8388608,
    }
    if dm:
        payload |= {"channel_id": str(DM_CHANNEL_ID), "user": user(user_id),
                    "channel": {"id": str(DM_CHANNEL_ID), "type": 1, "recipients": [user(user_id)]}, "context": 1}
    else:
        payload |= {"guild_id": str(GUILD_ID), "channel_id": str(channel_id), "channel": channel(channel_id),
                    "member": member(user_id, "admin" if user_id == ADMIN_ID else "alice", permissions),
                    "guild_locale": "en-US", "guild": {"id": str(GUILD_ID), "locale": "en-US", "features": []},
                    "context": 0}
    payload |= extra
    return payload


def _options(options: dict, focused: str | None = None) -> list[dict]:
    out = []
    for name, value in options.items():
        kind = 5 if isinstance(value, bool) else 4 if isinstance(value, int) else 3
        opt = {"name": name, "type": kind, "value": value}
        if name == focused:
            opt["focused"] = True
        out.append(opt)
    return out


def slash(name: str, options: dict | None = None, *, sub: str | None = None, **kw) -> dict:
    opts = _options(options or {})
    if sub:
        opts = [{"name": sub, "type": 1, "options": opts}]
    return _interaction(2, {"id": new_id(), "name": name, "type": 1, "options": opts}, **kw)


def autocomplete(name: str, options: dict, focused: str, **kw) -> dict:
    return _interaction(4, {"id": new_id(), "name": name, "type": 1,
                            "options": _options(options, focused)}, **kw)


def context_menu(name: str, target: dict, **kw) -> dict:
    return _interaction(2, {"id": new_id(), "name": name, "type": 3, "target_id": target["id"],
                            "resolved": {"messages": {target["id"]: target}}}, **kw)


def component(custom_id: str, shown: dict, *, values: list[str] | None = None, **kw) -> dict:
    """A click on `custom_id` in `shown` (a message dict returned by the fake, with its components)."""
    data = {"custom_id": custom_id, "component_type": 3 if values is not None else 2}
    if values is not None:
        data["values"] = values
    if "channel_id" in shown and shown["channel_id"] == "0":
        shown = {**shown, "channel_id": str(CHANNEL_ID)}
    return _interaction(3, data, message=shown, **kw)


def components(data: dict) -> list[dict]:
    """The buttons and selects of a message or callback `data`, flattened from their action rows."""
    return [c for row in data.get("components") or [] for c in row.get("components", [])]


def custom_ids(data: dict) -> list[str]:
    return [c["custom_id"] for c in components(data) if "custom_id" in c]


def make_settings(tmp_path: Path, **kw):
    from bot.config import Settings

    kw.setdefault("database_url", f"sqlite:///{tmp_path}/db.sqlite3")
    return Settings(_env_file=None, discord_bot_token=TOKEN, **kw)


def section_ids(pid: str, topic: str = "ai-training", lang: str = "en", region: str = "") -> list[str]:
    """The buttons under a public answer: its sections ('one tap away', answered only to the clicker), then the
    helpful? votes."""
    return [*(f"oo:x:s:{pid}:{topic}:{lang}:{region}:{name}" for name in ("details", "regions", "sources")),
            *vote_ids(pid, topic, lang)]


def vote_ids(pid: str, topic: str = "ai-training", lang: str = "en") -> list[str]:
    return [f"oo:x:fb:y:{pid}:{topic}:{lang}", f"oo:x:fb:n:{pid}:{topic}:{lang}"]


def answer_ids(pid: str, topic: str = "ai-training", lang: str = "en", region: str = "") -> list[str]:
    """The buttons under a private (ephemeral) answer: the sections, 'Post publicly', the helpful? votes."""
    return [*section_ids(pid, topic, lang, region)[:3], f"oo:x:p:{pid}:{topic}:{lang}", *vote_ids(pid, topic, lang)]

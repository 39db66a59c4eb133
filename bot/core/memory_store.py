"""Settings kept in memory, with the store's async interface: the terminal chat's store (one conversation, one
process, nothing written to disk)."""
from __future__ import annotations

from dataclasses import replace

from .records import MemoryRecords
from .store import ChatSettings, UserSettings


class MemoryStore(MemoryRecords):
    def __init__(self):
        self._chats: dict[tuple, ChatSettings] = {}
        self._users: dict[tuple, UserSettings] = {}

    async def chat(self, surface, chat_id) -> ChatSettings:
        return self._chats.get((surface, str(chat_id)), ChatSettings())

    async def update_chat(self, surface, chat_id, **changes) -> ChatSettings:
        new = self._chats[(surface, str(chat_id))] = replace(await self.chat(surface, chat_id), **changes)
        return new

    async def faq_chats(self, surface) -> list[str]:
        return [cid for (s, cid), c in self._chats.items() if s == surface and c.faq]

    async def migrate_chat(self, surface, old, new) -> None:
        settings = self._chats.pop((surface, str(old)), None)
        if settings is not None:
            self._chats[(surface, str(new))] = settings

    async def forget_chat(self, surface, chat_id) -> bool:
        return self._chats.pop((surface, str(chat_id)), ChatSettings()) != ChatSettings()

    async def user(self, surface, user_id) -> UserSettings:
        return self._users.get((surface, str(user_id)), UserSettings())

    async def update_user(self, surface, user_id, **changes) -> UserSettings:
        new = self._users[(surface, str(user_id))] = replace(await self.user(surface, user_id), **changes)
        return new

    async def forget_user(self, surface, user_id) -> bool:
        erased = self._forget_records(surface, user_id)
        return self._users.pop((surface, str(user_id)), UserSettings()) != UserSettings() or erased

    async def close(self) -> None:
        pass

"""Opening the settings store the same way whether Store.open is synchronous (SQLite/psycopg store) or a coroutine
(the SQLAlchemy store), and with the settings when it takes them."""
from __future__ import annotations

import inspect


async def open_store(settings):
    from .store import Store

    takes_settings = "settings" in inspect.signature(Store.open).parameters
    opened = Store.open(settings.database_url, settings) if takes_settings else Store.open(settings.database_url)
    return await opened if inspect.isawaitable(opened) else opened

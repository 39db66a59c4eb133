"""Alembic environment: Store.open() hands over its connection (config.attributes["connection"]), inside a
transaction it holds under a lock. Offline mode (SQL scripts) is not used."""
from alembic import context

from bot.core.store import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through bot.core.store.Store.open()")
context.configure(connection=connection, target_metadata=metadata, transaction_per_migration=False)
context.run_migrations()

"""Alembic migrations of the settings store, shipped in the package and run by Store.open()."""

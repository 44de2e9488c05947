"""Persistence: the schema, its migrations, and plain async functions over an `AsyncSession`."""

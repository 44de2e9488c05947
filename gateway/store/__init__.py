"""Persistence: the schema, its migrations, and plain async functions over an `AsyncSession`."""

# Registers the API's auth tables on the shared metadata whatever module is imported first,
# so Alembic's env and the model-vs-migration check always see the whole schema.
from gateway.store import auth_tables as _auth_tables  # noqa: F401

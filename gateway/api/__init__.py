"""The REST API for the web frontend: JWT auth, JSON views, and its generated OpenAPI 3.1."""

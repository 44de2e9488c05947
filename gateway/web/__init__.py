"""The browser app (built from `web/` into `dist/`) and the embedded default's demo routes."""

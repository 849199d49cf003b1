"""First-run and upgrade work: the database schema and the key material."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.engine import make_url

from . import schema
from .db import get_database
from .keystore import ensure_secrets
from .signing_keys import ensure_signing_keys


def initialise(app: Flask) -> dict[str, Any]:
    """Create or upgrade the schema and create missing keys; report what was done."""
    settings = app.config["LEERID"]
    url = make_url(settings["database"]["url"])
    if url.get_backend_name() == "sqlite" and url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = get_database(app).engine
    schema.upgrade(engine)
    keys = Path(settings["keys"]["directory"])
    created = []
    if ensure_secrets(keys):
        created.append(str(keys / "secrets.json"))
    created.extend(str(path) for path in ensure_signing_keys(keys))
    return {"database": url.render_as_string(hide_password=True), "keys_created": created}

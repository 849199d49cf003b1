"""Shared helpers of the sub-commands."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from flask import Flask

from .. import create_app
from ..db import get_database


@contextmanager
def app_context(config: dict[str, dict[str, Any]] | None = None) -> Iterator[Flask]:
    """Build the app from the configuration and push its context for the command."""
    app = create_app(config)
    try:
        with app.app_context():
            yield app
    finally:
        # A command is short-lived: close pooled connections instead of leaking them.
        get_database(app).engine.dispose()


def echo_json(data: Any) -> None:
    """Print one JSON object, as every `--json` command does."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))

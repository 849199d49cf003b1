"""Shared helpers of the sub-commands."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from flask import Flask

from .. import create_app


@contextmanager
def app_context(config: dict[str, dict[str, Any]] | None = None) -> Iterator[Flask]:
    """Build the app from the configuration and push its context for the command."""
    app = create_app(config)
    with app.app_context():
        yield app


def echo_json(data: Any) -> None:
    """Print one JSON object, as every `--json` command does."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))

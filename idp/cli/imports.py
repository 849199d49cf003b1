"""`leerid imports` commands (placeholder, filled in by its capability)."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add the commands of this module to `leerid`."""

"""The `leerid` command: one sub-command module per capability."""

from __future__ import annotations

import click

from ..config import ConfigError
from ..keystore import MissingKeysError
from . import accounts, admins, clients, demo, imports, setup, stats


class LeerIDGroup(click.Group):
    """Turns configuration and key problems into one clear line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            raise click.ClickException(f"configuration: {error}") from None
        except MissingKeysError as error:
            raise click.ClickException(str(error)) from None


@click.group(cls=LeerIDGroup)
def main() -> None:
    """LeerID: one login for every learning app."""


for module in (setup, imports, stats, demo, admins, clients, accounts):
    module.register(main)

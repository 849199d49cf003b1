"""What the Leerlingloket shows a pupil: their apps, their school, and their data's use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Account, ClaimRelease, Client

# "Mijn gegevens" reads at most this many releases (newest first): years of daily use.
RELEASES_SHOWN = 5000


def listed_apps(session: Session) -> list[Client]:
    """The connected apps shown as tiles: listed, enabled, with a start page."""
    query = select(Client).where(
        Client.listed.is_(True), Client.disabled_at.is_(None), Client.client_uri != ""
    )
    return list(session.scalars(query.order_by(Client.name)))


@dataclass
class AppUse:
    """One app that received the pupil's data: when first and last, and which claims."""

    client: Client
    first: dt.datetime
    last: dt.datetime
    claims: set[str] = field(default_factory=set)


def data_use(session: Session, account: Account) -> list[AppUse]:
    """Every app that received claims about the pupil, the most recently used first."""
    query = (
        select(ClaimRelease, Client)
        .join(Client, Client.id == ClaimRelease.client_id)
        .where(ClaimRelease.account_id == account.id)
        .order_by(ClaimRelease.released_at.desc())
        .limit(RELEASES_SHOWN)
    )
    uses: dict[int, AppUse] = {}
    for release, client in session.execute(query):
        use = uses.setdefault(client.id, AppUse(client, release.released_at, release.released_at))
        use.first = min(use.first, release.released_at)
        use.claims.update(release.claims)
    return sorted(uses.values(), key=lambda u: u.last, reverse=True)

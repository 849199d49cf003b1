"""A sign-in in progress: node-oidc-provider's "interaction", kept in the database.

An app's authorization request that needs the pupil (to sign in, to confirm who they are on
a shared tablet, or to see what the app receives) waits here, keyed by the interaction's
public `key`, until the sign-in steps finish it. Each interaction is bound to the browser
that started it by a cookie of its own, so two tabs signing in at once never share state
(and never overwrite each other's cookie). A sign-in without an app (for the Leerlingloket)
is an interaction too, without a request.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .account import Account
from .base import Base, UTCDateTime, utcnow
from .oauth import Client, LoginSession


class Interaction(Base):
    """One sign-in in progress, for one browser; it ends when the app gets its answer."""

    __tablename__ = "interaction"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Public: it travels in the sign-in pages' URLs (?interaction=...).
    key: Mapped[str] = mapped_column(String(32), unique=True)
    # SHA-256 of the secret in this interaction's own cookie; None until a browser claims it
    # (a request POSTed cross-site is parked before its browser can be given a cookie).
    browser_hash: Mapped[str | None] = mapped_column(String(64))
    # The waiting authorization request as (name, value) pairs; None for the Leerlingloket.
    client_id: Mapped[int | None] = mapped_column(ForeignKey("oauth_client.id", ondelete="CASCADE"))
    request: Mapped[list[list[str]] | None] = mapped_column(JSON(none_as_null=True))
    # Who is signing in: typed on the first step, or read from a card.
    username: Mapped[str | None] = mapped_column(String(50))
    # The account that proved its secret but must choose its own password first.
    proved_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE")
    )
    proved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # How it ended: the SSO session it was finished with; `fresh` when the pupil entered
    # their secret in this interaction (prompt=login, max_age), not only confirmed who
    # they are; `consented` once the pupil saw what the app receives (prompt=consent).
    login_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("login_session.id", ondelete="CASCADE")
    )
    fresh: Mapped[bool] = mapped_column(default=False)
    consented: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)

    client: Mapped[Client | None] = relationship()
    proved_account: Mapped[Account | None] = relationship()
    login_session: Mapped[LoginSession | None] = relationship()

    def parameters(self) -> list[tuple[str, str]]:
        """The waiting authorization request's parameters, in their original order."""
        return [(str(name), str(value)) for name, value in (self.request or [])]

    def parameter(self, name: str) -> Any:
        """The first value of one parameter of the waiting request, or None."""
        return next((value for key, value in self.parameters() if key == name), None)

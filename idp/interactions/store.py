"""Where interactions wait: a database row each, bound to one browser by a cookie of its own.

The cookie is named after the interaction (`leerid_ia_<key>`), so two tabs that start
signing in at the same moment each get their own and neither overwrites the other; it
holds a random secret whose SHA-256 is the row's `browser_hash`. A row that was parked
before its browser could be given a cookie (a request POSTed cross-site) is bound to the
first browser that opens it: its key is no more secret than the request it holds, which
anyone can send to /authorize anyway.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence

from flask import after_this_request, current_app, g, request
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from ..db import get_session
from ..hashing import matches_hash, new_secret, secret_hash
from ..models import Account, Client, Interaction, utcnow
from ..security_headers import allow_form_target
from ..services.authentication import find_account, normalise_username

# Seconds a sign-in may take, from the app's request to the last step (a child may leave
# the picture grid for a while; after that the app is asked to start again).
LIFETIME = 3600
KEY_BYTES = 16
COOKIE_PREFIX = "leerid_ia_"
# new_secret(16) gives 22 URL-safe characters; anything else is not one of ours.
_KEY = re.compile(r"[A-Za-z0-9_-]{22}")
# One park in this many also deletes the expired interactions.
PURGE_EVERY = 50
# A browser keeps the cookies of at most this many sign-ins. Abandoned ones (a closed tab,
# or a page elsewhere that opens sign-ins on purpose, a hundred in a minute) would else
# fill its Cookie header until every request to LeerID is refused (431, about 100 cookies).
MAX_PER_BROWSER = 10
_CACHE = "leerid_interactions"
_NEW_SECRETS = "leerid_interaction_secrets"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def cookie_name(interaction: Interaction) -> str:
    """The name of the cookie that binds this interaction to its browser."""
    return COOKIE_PREFIX + interaction.key


def park(
    client: Client | None, parameters: Sequence[tuple[str, str]] | None, *, bind: bool = True
) -> Interaction:
    """Store a waiting request (None: a sign-in for the Leerlingloket); with `bind`, give
    this browser the interaction's cookie. The caller commits."""
    session = get_session()
    now = utcnow()
    if secrets.randbelow(PURGE_EVERY) == 0:
        purge_expired()
    ephemeral(session)
    interaction = Interaction(
        key=new_secret(KEY_BYTES),
        client_id=client.id if client is not None else None,
        request=[[name, value] for name, value in parameters] if parameters is not None else None,
        created_at=now,
        expires_at=now + dt.timedelta(seconds=LIFETIME),
    )
    session.add(interaction)
    if bind:
        _bind(interaction)
    session.flush()
    g.setdefault(_CACHE, {})[interaction.key] = interaction
    return interaction


def purge_expired() -> int:
    """Delete the interactions whose time is up (abandoned sign-ins, a closed tab); returns
    how many. Run now and then from `park`, so that no job is needed for it."""
    deleted = get_session().execute(delete(Interaction).where(Interaction.expires_at <= utcnow()))
    return int(deleted.rowcount)  # type: ignore[attr-defined]


def ephemeral(session: Session) -> None:
    """This transaction only records sign-in steps: PostgreSQL may report the commit before
    it reaches the disk (a crash loses at most the last moment's steps, and the pupil starts
    again), which spares a disk flush on every step of every sign-in of a school morning."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql("SET LOCAL synchronous_commit TO OFF")


def find(key: str | None) -> Interaction | None:
    """The live interaction with this key if it belongs to this browser (an unbound one is
    bound to it now); None for unknown, expired or other browsers' interactions."""
    return _find(key, with_account=False)[0]


def current_with_account(
    username: str | None = None,
) -> tuple[Interaction | None, Account | None]:
    """`current()`, and the account that `username` (as typed) names, else the one the
    interaction's username names (None: no username yet, or no such account), read in one
    query: the sign-in steps need both, and each query costs a sign-in about a millisecond
    (bench/sign_in.py)."""
    return _find(request.args.get("interaction"), with_account=True, username=username)


def _find(
    key: str | None, *, with_account: bool, username: str | None = None
) -> tuple[Interaction | None, Account | None]:
    if not key or not _KEY.fullmatch(key):
        return None, None
    session = get_session()
    cache: dict[str, Interaction | None] = g.setdefault(_CACHE, {})
    if key in cache:
        known = cache[key]
        named = (username or known.username) if known is not None and with_account else None
        return known, find_account(session, named) if named else None
    # Its finished session and account are loaded only when the answer to the app asks for
    # them: joining them on every step made each step's look-up twice as slow (bench/).
    account = None
    if with_account:
        wanted = Interaction.username if username is None else normalise_username(username)
        query = (
            select(Interaction, Account)
            .outerjoin(Account, Account.username == wanted)
            .where(Interaction.key == key)
        )
        row = session.execute(query).first()
        found, account = (row[0], row[1]) if row is not None else (None, None)
    else:
        found = session.scalar(select(Interaction).where(Interaction.key == key))
    if found is not None and found.expires_at <= utcnow():
        found = None
    if found is not None and found.browser_hash is None:
        _bind(found)
    elif found is not None and browser_secret(found) is None:
        found = None
    if found is not None and found.request is not None:
        # Its pages' forms lead, through /authorize, to the app (verified when parked).
        allow_form_target(found.parameter("redirect_uri"))
    cache[key] = found
    return found, account if found is not None else None


def current() -> Interaction | None:
    """The interaction named by this request's `?interaction=`, if it is this browser's."""
    return find(request.args.get("interaction"))


def waiting_in_browser() -> Interaction | None:
    """The newest app request this browser is signing in for, if any: a card typed into the
    address bar while the app waits continues that sign-in instead of starting another."""
    query = (
        select(Interaction)
        .where(
            Interaction.key.in_(_cookie_keys()),
            Interaction.request.is_not(None),
            Interaction.expires_at > utcnow(),
        )
        .order_by(Interaction.created_at.desc())
    )
    for candidate in get_session().scalars(query):
        found = find(candidate.key)
        if found is not None and found.login_session_id is None:
            return found
    return None


def _cookie_keys() -> list[str]:
    """The keys of the interactions whose cookies this request carries."""
    keys = (
        name[len(COOKIE_PREFIX) :] for name in request.cookies if name.startswith(COOKIE_PREFIX)
    )
    return [key for key in keys if _KEY.fullmatch(key)]


def _keep_cookies_few(new_key: str) -> None:
    """With the cookie of `new_key`, this browser would hold more than MAX_PER_BROWSER:
    forget the others' cookies but for the newest live ones. Costs a query only then."""
    keys = [key for key in _cookie_keys() if key != new_key]
    if len(keys) < MAX_PER_BROWSER:
        return
    query = select(Interaction.key, Interaction.created_at).where(
        Interaction.key.in_(keys), Interaction.expires_at > utcnow()
    )
    started = {key: created for key, created in get_session().execute(query)}
    # Unknown and expired ones go first, then the oldest.
    oldest_first = sorted(keys, key=lambda key: (key in started, started.get(key, _EPOCH)))
    dropped = oldest_first[: len(keys) - (MAX_PER_BROWSER - 1)]

    @after_this_request
    def forget_cookies(response: Response) -> Response:
        for key in dropped:
            response.delete_cookie(COOKIE_PREFIX + key, path="/", httponly=True, samesite="Lax")
        return response


def browser_secret(interaction: Interaction) -> str | None:
    """The secret this request's cookie holds for the interaction, if it matches."""
    value = request.cookies.get(cookie_name(interaction)) or g.get(_NEW_SECRETS, {}).get(
        interaction.key
    )
    if value and interaction.browser_hash and matches_hash(value, interaction.browser_hash):
        return str(value)
    return None


def end(interaction: Interaction) -> None:
    """The interaction is over: forget it, and its cookie. The caller commits."""
    get_session().delete(interaction)
    name = cookie_name(interaction)
    g.setdefault(_CACHE, {})[interaction.key] = None

    @after_this_request
    def forget_cookie(response: Response) -> Response:
        response.delete_cookie(name, path="/", httponly=True, samesite="Lax")
        return response


def _bind(interaction: Interaction) -> None:
    _keep_cookies_few(interaction.key)
    secret = new_secret()
    interaction.browser_hash = secret_hash(secret)
    # The cookie reaches the browser with this response; until then this request knows it.
    g.setdefault(_NEW_SECRETS, {})[interaction.key] = secret
    name = cookie_name(interaction)
    secure = bool(current_app.config["SESSION_COOKIE_SECURE"])

    @after_this_request
    def set_cookie(response: Response) -> Response:
        response.set_cookie(
            name, secret, max_age=LIFETIME, path="/", secure=secure, httponly=True, samesite="Lax"
        )
        return response

"""Interactions: the waiting request lives in the database, bound to its browser by a cookie
of its own, with forms whose CSRF token only that browser can have (idp/interactions)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select

from idp.interactions import purge_expired
from idp.interactions.store import MAX_PER_BROWSER
from idp.models import CredentialType, Interaction, utcnow
from tests.signin.conftest import csrf_of


def _key(location: str) -> str:
    return parse_qs(urlsplit(location).query)["interaction"][0]


def test_the_waiting_request_is_in_the_database_not_in_a_cookie(make_rp, client, session):
    rp = make_rp()
    response = client.get(rp.authorize_url(state="s" * 3000))
    key = _key(response.headers["Location"])
    stored = session.scalar(select(Interaction).where(Interaction.key == key))
    assert dict(stored.parameters())["state"] == "s" * 3000
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"leerid_ia_{key}=") and len(cookie) < 300
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "leerid_session" not in response.headers.get("Set-Cookie", "")


def test_a_finished_sign_in_forgets_its_interaction_and_cookie(make_rp, new_pupil, client, session):
    pupil = new_pupil(CredentialType.WORD)
    rp = make_rp()
    callback = rp.login_flow(pupil.username, pupil.password)
    assert "code" in callback
    assert session.scalar(select(func.count(Interaction.id))) == 0
    assert not [c for c in client._cookies.values() if c.key.startswith("leerid_ia_")]


def test_a_token_from_one_interaction_does_not_open_another(make_rp, app, client):
    rp = make_rp()
    first = client.get(rp.authorize_url()).headers["Location"]
    second = client.get(rp.authorize_url()).headers["Location"]
    token = csrf_of(client.get(first).get_data(as_text=True))
    response = client.post(second, data={"csrf_token": token, "username": "iemand"})
    assert response.status_code == 200 and "Deze pagina stond lang open" in response.get_data(
        as_text=True
    )
    # Nor in another browser that knows the key and the token but not the cookie.
    other = app.test_client()
    stolen = other.post(first, data={"csrf_token": token, "username": "iemand"})
    assert stolen.status_code == 400


def test_expired_interactions_are_purged(make_rp, client, session):
    rp = make_rp()
    client.get(rp.authorize_url())
    client.get(rp.authorize_url())
    old = session.scalars(select(Interaction)).first()
    old.expires_at = utcnow() - dt.timedelta(seconds=1)
    session.commit()
    assert purge_expired() == 1
    session.commit()
    assert session.scalar(select(func.count(Interaction.id))) == 1


def test_abandoned_sign_ins_cannot_fill_the_browsers_cookies(make_rp, new_pupil, client):
    # A page elsewhere can open sign-ins in a pupil's browser a hundred times; each leaves a
    # cookie for an hour. At about a hundred, every request to LeerID would be refused (431).
    rp = make_rp()
    started = [_key(client.get(rp.authorize_url()).headers["Location"]) for _ in range(120)]
    kept = {c.key for c in client._cookies.values() if c.key.startswith("leerid_ia_")}
    assert len(kept) == MAX_PER_BROWSER
    # The newest ones are the ones kept, and they still open; the oldest are gone.
    assert kept == {f"leerid_ia_{key}" for key in started[-MAX_PER_BROWSER:]}
    assert client.get(f"/login?interaction={started[-MAX_PER_BROWSER]}").status_code == 200
    assert client.get(f"/login?interaction={started[0]}").status_code == 400
    pupil = new_pupil(CredentialType.WORD)
    assert "code" in rp.login_flow(pupil.username, pupil.password)

"""Revocation (RFC 7009) and introspection (RFC 7662): the hint only orders the search."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from idp.models import AccountStatus, Token
from tests.conftest import PASSWORD
from tests.oidc.relying_party import basic

# Every hint an app may send: none, the right one, the wrong one, one we do not know.
HINTS = [None, "", "access_token", "refresh_token", "id_token", "urn:x:whatever"]


def _form(token: str, hint: str | None) -> dict[str, str]:
    return {"token": token} if hint is None else {"token": token, "token_type_hint": hint}


def _userinfo(rp, access_token):
    return rp.browser.get("/userinfo", headers={"Authorization": f"Bearer {access_token}"})


def _active(rp, token, hint=None) -> bool:
    answer = rp.post("/introspect", **_form(token, hint))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["active"]


@pytest.mark.parametrize("hint", HINTS)
def test_revoking_a_refresh_token_ends_its_family_whatever_the_hint(make_rp, pupil, hint):
    rp = make_rp()
    first = rp.tokens(pupil.username, PASSWORD)
    second = rp.token(grant_type="refresh_token", refresh_token=first["refresh_token"]).get_json()

    answer = rp.post("/revoke", **_form(second["refresh_token"], hint))
    assert answer.status_code == 200, answer.get_data(as_text=True)

    refresh = rp.token(grant_type="refresh_token", refresh_token=second["refresh_token"])
    assert refresh.status_code == 400
    assert refresh.get_json()["error"] == "invalid_grant"
    # The family's access tokens, the earlier one included, end with it.
    for access_token in (first["access_token"], second["access_token"]):
        assert _userinfo(rp, access_token).status_code == 401
        assert not _active(rp, access_token)


@pytest.mark.parametrize("hint", HINTS)
def test_revoking_an_access_token_ends_only_that_token(make_rp, pupil, hint):
    rp = make_rp()
    tokens = rp.tokens(pupil.username, PASSWORD)

    assert rp.post("/revoke", **_form(tokens["access_token"], hint)).status_code == 200

    assert _userinfo(rp, tokens["access_token"]).status_code == 401
    assert not _active(rp, tokens["access_token"])
    # RFC 7009 §2.1 lets the server keep the refresh token: LeerID does.
    assert _active(rp, tokens["refresh_token"])
    renewed = rp.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert renewed.status_code == 200, renewed.get_json()
    assert _userinfo(rp, renewed.get_json()["access_token"]).status_code == 200


@pytest.mark.parametrize("hint", HINTS)
def test_introspection_finds_both_kinds_whatever_the_hint(make_rp, pupil, hint):
    rp = make_rp()
    tokens = rp.tokens(pupil.username, PASSWORD)
    for kind in ("access_token", "refresh_token"):
        answer = rp.post("/introspect", **_form(tokens[kind], hint))
        assert answer.status_code == 200
        body = answer.get_json()
        assert body["active"] is True, (kind, hint)
        assert body["client_id"] == rp.client_id
    assert _active(rp, "not-a-token", hint) is False


def test_introspection_of_a_refresh_token_outlives_its_access_token(make_rp, pupil, session):
    rp = make_rp()
    tokens = rp.tokens(pupil.username, PASSWORD)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    session.execute(update(Token).values(access_expires_at=past))
    session.commit()
    assert not _active(rp, tokens["access_token"])
    body = rp.post("/introspect", token=tokens["refresh_token"]).get_json()
    assert body["active"] is True
    assert body["exp"] > dt.datetime.now(dt.UTC).timestamp() + 86400
    assert "token_type" not in body  # "Bearer" describes access tokens only


def test_a_used_refresh_token_is_inactive(make_rp, pupil):
    rp = make_rp()
    tokens = rp.tokens(pupil.username, PASSWORD)
    renewed = rp.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert renewed.status_code == 200
    assert not _active(rp, tokens["refresh_token"], "refresh_token")


@pytest.mark.parametrize("path", ["/revoke", "/introspect"])
def test_the_token_parameter_is_required_once(make_rp, pupil, path):
    rp = make_rp()
    tokens = rp.tokens(pupil.username, PASSWORD)
    for form in ({}, {"token": ""}, {"token_type_hint": "access_token"}):
        answer = rp.post(path, **form)
        assert answer.status_code == 400, form
        assert answer.get_json()["error"] == "invalid_request"
    twice = rp.browser.post(
        path,
        data={"token": [tokens["access_token"], tokens["refresh_token"]]},
        headers=basic(rp.client_id, rp.client_secret),
    )
    assert twice.status_code == 400
    assert twice.get_json()["error"] == "invalid_request"


def test_a_public_client_revokes_its_own_refresh_token(make_rp, pupil):
    rp = make_rp(auth_method="none")
    tokens = rp.tokens(pupil.username, PASSWORD)
    assert rp.post("/revoke", token=tokens["refresh_token"]).status_code == 200
    refresh = rp.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert refresh.get_json()["error"] == "invalid_grant"
    # Introspection is for authenticated clients only (RFC 7662 §2.1).
    answer = rp.post("/introspect", token=tokens["access_token"])
    assert answer.status_code == 401
    assert answer.get_json()["error"] == "invalid_client"


@pytest.mark.parametrize("status", [AccountStatus.BLOCKED, AccountStatus.DEACTIVATED])
def test_blocking_an_account_stops_its_tokens_at_once(make_rp, pupil, session, status):
    rp = make_rp()
    tokens = rp.tokens(pupil.username, PASSWORD)
    assert _userinfo(rp, tokens["access_token"]).status_code == 200

    pupil.status = status
    session.commit()

    info = _userinfo(rp, tokens["access_token"])
    assert info.status_code == 401
    assert info.get_json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in info.headers["WWW-Authenticate"]
    assert rp.post("/introspect", token=tokens["access_token"]).get_json() == {"active": False}
    assert rp.post("/introspect", token=tokens["refresh_token"]).get_json() == {"active": False}
    refresh = rp.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert refresh.status_code == 400
    assert refresh.get_json()["error"] == "invalid_grant"

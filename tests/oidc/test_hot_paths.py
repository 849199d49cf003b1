"""The hot paths load no keys per request and run a bounded number of queries."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from idp import signing_keys
from idp.db import get_database
from tests.conftest import PASSWORD


@pytest.fixture
def count_queries(app):
    """Count SQL statements sent during a block: `with count_queries() as counted: ...`."""
    engine = get_database(app).engine

    class Counter:
        def __init__(self):
            self.statements = []

        def __enter__(self):
            event.listen(engine, "before_cursor_execute", self._record)
            return self

        def __exit__(self, *exc):
            event.remove(engine, "before_cursor_execute", self._record)

        def _record(self, conn, cursor, statement, *args):
            self.statements.append(statement)

    return Counter


def test_authorize_token_userinfo_are_bounded(make_rp, pupil, client, count_queries, monkeypatch):
    rp = make_rp(scopes=["openid", "profile", "school"])
    # Warm up: a session in the browser and the keys in the process.
    rp.exchange(rp.login_flow(pupil.username, PASSWORD, scope="openid profile school")["code"][0])
    loads = []
    original = signing_keys.load_signing_keys
    monkeypatch.setattr(signing_keys, "load_signing_keys", lambda d: loads.append(d) or original(d))

    with count_queries() as authorize:
        callback = rp.callback(client.get(rp.authorize_url(scope="openid profile school")))
    with count_queries() as token:
        tokens = rp.exchange(callback["code"][0]).get_json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    with count_queries() as userinfo:
        assert client.get("/userinfo", headers=bearer).status_code == 200

    assert loads == [], "signing keys were read from disk during a request"
    assert len(authorize.statements) <= 10, authorize.statements
    assert len(token.statements) <= 16, token.statements
    assert len(userinfo.statements) <= 8, userinfo.statements

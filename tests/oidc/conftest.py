"""Fixtures for protocol tests: registered apps.

Pupils (`make_pupil`, `pupil`, PASSWORD) and live servers (`serve_live`, `live_leerid`,
`app_server`, `rekenrally`) are shared with the browser tests in tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from idp.services.clients import register_client
from tests.oidc.relying_party import RelyingParty


@pytest.fixture
def make_rp(session, client) -> Callable[..., RelyingParty]:
    """Register an app and return a relying party for it, sharing the test browser."""

    def make(
        redirect_uri: str = "https://app.example/callback",
        auth_method: str = "client_secret_basic",
        browser: Any = None,
        **options: Any,
    ) -> RelyingParty:
        public = auth_method == "none"
        created = register_client(
            session,
            name=options.pop("name", "Rekenapp"),
            redirect_uris=[redirect_uri],
            actor="test",
            public=public,
            auth_method=auth_method,
            **options,
        )
        session.commit()
        return RelyingParty(
            browser=browser or client,
            client_id=created.client.client_id,
            client_secret=created.client_secret,
            redirect_uri=redirect_uri,
            auth_method=auth_method,
        )

    return make

"""Fixtures for the hostile-input tests: a world of fresh pupils and registered apps."""

from __future__ import annotations

from typing import Any

import pytest

from idp.services.clients import register_client
from tests.hostile.engine import RawCookies
from tests.hostile.world import LOGOUT_URI, REDIRECT_URI, App, World


@pytest.fixture
def settings(settings: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """No sign-in delays: every hostile password is checked, not answered with "wait"."""
    settings["throttle"].update(free_failures=1_000_000, ip_failures_per_hour=1_000_000)
    return settings


@pytest.fixture
def world(app, session, new_pupil) -> World:
    """Two registered apps (the secret in the form, and in HTTP Basic); pupils on demand."""
    apps = {}
    for method in ("client_secret_post", "client_secret_basic"):
        created = register_client(
            session,
            name=f"Rekenapp ({method})",
            redirect_uris=[REDIRECT_URI],
            post_logout_redirect_uris=[LOGOUT_URI],
            actor="test",
            auth_method=method,
        )
        apps[method] = App(created.client.client_id, created.client_secret or "", method)
    session.commit()
    app.wsgi_app = RawCookies(app.wsgi_app)  # type: ignore[method-assign]
    return World(app, session, new_pupil, apps)

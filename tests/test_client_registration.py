"""What `leerid client add` and the Schoolloket's application form accept: every value
that cannot be stored or used whole is refused with its field named, never cut short
and never left for the database to refuse (on PostgreSQL, a DataError)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from idp.models import Client
from idp.services.clients import ClientError, check_uri, register_client

GOOD = "https://rekenkoning.example/callback"


@pytest.mark.parametrize(
    "uri",
    [
        "https://user:pw@rekenkoning.example/callback",
        "https://user@rekenkoning.example/callback",
        "https://:pw@rekenkoning.example/callback",
    ],
)
def test_a_uri_with_a_user_name_or_password_is_refused(uri):
    with pytest.raises(ClientError) as refused:
        check_uri(uri, "redirect URI")
    assert refused.value.code == "uri_invalid"


@pytest.mark.parametrize(
    ("field", "value", "limit"),
    [
        ("name", "R" * 201, 200),
        ("vendor", "V" * 201, 200),
        ("description", "d" * 2001, 2000),
        ("description_en", "e" * 2001, 2000),
        ("client_uri", "https://rekenkoning.example/" + "p" * 480, 500),
    ],
)
def test_values_longer_than_stored_are_refused_naming_the_field(session, field, value, limit):
    options = {"name": "Rekenkoning", field: value}
    with pytest.raises(ClientError) as refused:
        register_client(session, redirect_uris=[GOOD], actor="cli", **options)
    assert (refused.value.code, refused.value.params) == (
        "too_long",
        {"field": field, "limit": limit},
    )
    assert session.scalar(select(func.count()).select_from(Client)) == 0


def test_values_at_their_limit_are_stored_whole(session):
    made = register_client(
        session,
        name="R" * 200,
        vendor="V" * 200,
        description="d" * 2000,
        client_uri="https://rekenkoning.example/" + "p" * 472,
        redirect_uris=[GOOD],
        actor="cli",
    )
    session.commit()
    session.refresh(made.client)
    assert (len(made.client.name), len(made.client.client_uri)) == (200, 500)

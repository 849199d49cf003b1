"""`leerid client add`: the secret is shown once and stored only hashed; bad input is refused."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from idp.hashing import secret_hash
from idp.models import AuditEvent, Client


def test_confidential_client_json(leerid, session):
    result = leerid(
        "client", "add", "--name", "Rekenapp", "--redirect-uri", "https://reken.example/cb",
        "--scope", "profile", "--scope", "school", "--backchannel-logout-uri",
        "https://reken.example/logout", "--post-logout-redirect-uri", "https://reken.example/",
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["token_endpoint_auth_method"] == "client_secret_basic"
    assert data["scopes"] == ["openid", "profile", "school"]
    assert data["sector"] == "reken.example"
    client = session.scalars(select(Client).where(Client.client_id == data["client_id"])).one()
    assert client.client_secret_hash == secret_hash(data["client_secret"])
    assert data["client_secret"] not in str(client.__dict__)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "client.add")).one()
    assert data["client_secret"] not in json.dumps(event.details)


def test_public_client_has_no_secret(leerid):
    result = leerid(
        "client", "add", "--name", "Tablet-app", "--redirect-uri", "http://127.0.0.1:8000/cb",
        "--public", "--json",
    )  # fmt: skip
    data = json.loads(result.output)
    assert data["client_secret"] is None
    assert data["token_endpoint_auth_method"] == "none"


def test_a_listed_client_gets_a_tile_in_the_portal(leerid, session):
    result = leerid(
        "client", "add", "--name", "Taalrally", "--redirect-uri", "https://taal.example/cb",
        "--client-uri", "https://taal.example/", "--listed", "--description", "Woordjes oefenen",
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    client = session.scalars(select(Client)).one()
    assert (client.listed, client.client_uri) == (True, "https://taal.example/")
    assert (client.description, client.description_en) == ("Woordjes oefenen", "")


def test_a_client_gets_a_description_in_english_too(leerid, session):
    result = leerid(
        "client", "add", "--name", "Taalrally", "--redirect-uri", "https://taal.example/cb",
        "--client-uri", "https://taal.example/", "--listed", "--description", "Woordjes oefenen",
        "--description-en", " Practise your words ", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    client = session.scalars(select(Client)).one()
    assert (client.description, client.description_en) == (
        "Woordjes oefenen",
        "Practise your words",
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--redirect-uri", "http://app.example/cb"], "must use https"),
        (["--redirect-uri", "https://app.example/cb#x"], "no #fragment"),
        (["--redirect-uri", "https://app.example/cb", "--scope", "nrn"], "unknown scope"),
        (
            ["--redirect-uri", "https://a.example/cb", "--redirect-uri", "https://b.example/cb"],
            "--sector",
        ),
        (
            ["--redirect-uri", "https://app.example/cb", "--token-endpoint-auth-method",
             "private_key_jwt"],
            "needs --jwks-uri",
        ),
        (
            ["--redirect-uri", "https://app.example/cb", "--public",
             "--token-endpoint-auth-method", "client_secret_basic"],
            "public client",
        ),
        (["--redirect-uri", "https://app.example/cb", "--listed"], "needs --client-uri"),
        (
            ["--redirect-uri", "https://app.example/cb", "--client-uri", "http://app.example/"],
            "client URI 'http://app.example/' must use https",
        ),
    ],
)  # fmt: skip
def test_bad_registrations_are_refused_clearly(leerid, session, arguments, message):
    result = leerid("client", "add", "--name", "App", *arguments)
    assert result.exit_code == 1
    assert message in result.output
    assert session.scalars(select(Client)).first() is None

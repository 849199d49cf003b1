"""The public list of connected apps (/toepassingen): listed, enabled apps with their
vendor and the data each can receive, in Dutch and English, without signing in."""

from __future__ import annotations

import datetime as dt

from idp.services.clients import register_client


def _register(session, name, *, listed=True, scopes=("openid", "profile"), **extra):
    created = register_client(
        session,
        name=name,
        redirect_uris=["https://app.example/callback"],
        actor="test",
        scopes=scopes,
        listed=listed,
        client_uri="https://app.example/" if listed else "",
        **extra,
    )
    session.commit()
    return created.client


def test_listed_apps_with_vendor_and_what_they_receive(client, session):
    _register(
        session,
        "Rekenrally",
        vendor="Uitgeverij Plus",
        description="Oefen de tafels.",
        description_en="Practise your times tables.",
        scopes=("openid", "profile", "school"),
    )
    _register(session, "Leesladder", scopes=("openid",))
    _register(session, "Verborgen", listed=False)
    _register(session, "Gestopt").disabled_at = dt.datetime.now(dt.UTC)
    session.commit()
    response = client.get("/toepassingen")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Aangesloten toepassingen</h1>" in html
    assert "Gemaakt door Uitgeverij Plus" in html and "Oefen de tafels." in html
    # One section per app, alphabetical: Leesladder (openid only), then Rekenrally.
    _, leesladder, rekenrally = html.split("<h2>")
    assert "Leesladder" in leesladder and "Rekenrally" in rekenrally
    assert "je school" in rekenrally and "je naam" in rekenrally
    assert "je school" not in leesladder and "je naam" not in leesladder
    assert "een code die jou alleen in deze app herkent" in leesladder
    assert "Verborgen" not in html and "Gestopt" not in html
    assert "rijksregisternummer" in html  # never given: said so, not listed as data
    english = client.get("/toepassingen?lang=en").get_data(as_text=True)
    assert "<h1>Connected apps</h1>" in english and "Practise your times tables." in english


def test_names_and_descriptions_are_escaped(client, session):
    _register(session, "<script>alert(1)</script>", vendor="<b>Vendor</b>")
    html = client.get("/toepassingen").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<b>Vendor</b>" not in html


def test_no_apps_yet(client):
    html = client.get("/toepassingen").get_data(as_text=True)
    assert "Er zijn nog geen apps om te tonen." in html


def test_the_start_page_links_to_it(client):
    assert 'href="/toepassingen"' in client.get("/").get_data(as_text=True)

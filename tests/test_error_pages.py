"""Addresses that lead nowhere get LeerID's own page, in the pupil's language."""

from __future__ import annotations


def test_an_unknown_address_gets_a_kind_page_in_dutch_and_english(client):
    response = client.get("/kaartje/bestaat-niet")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "<h1>Deze pagina bestaat niet</h1>" in html and 'href="/login"' in html
    assert "Not Found" not in html and 'lang="nl-BE"' in html
    english = client.get("/nowhere?lang=en").get_data(as_text=True)
    assert "<h1>This page does not exist</h1>" in english


def test_a_page_opened_the_wrong_way_keeps_its_allow_header(client):
    response = client.delete("/login")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert "Deze pagina bestaat niet" in response.get_data(as_text=True)


def test_after_signing_out_the_next_pupil_can_sign_in(client):
    html = client.get("/logout").get_data(as_text=True)
    assert "Opnieuw aanmelden" in html and 'href="/login"' in html


def test_a_fault_of_ours_gets_a_kind_page_not_werkzeugs(app, client):
    @app.route("/_broken")
    def broken():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/_broken")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Er ging iets mis bij ons" in page
    assert "boom" not in page and "Traceback" not in page

"""The app starts, serves its start page and reaches its database."""


def test_start_page_is_dutch_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Eén login voor al je schoolapps" in page
    assert 'lang="nl-BE"' in page


def test_start_page_in_english_on_request(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "One login for all your school apps" in page
    assert 'lang="en"' in page


def test_health_reaches_the_database(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}

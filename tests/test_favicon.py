"""The site's icon: browsers ask /favicon.ico on every site, and every page links it."""

from __future__ import annotations

import re

import pytest

ICO_HEADER = b"\x00\x00\x01\x00"  # reserved 0, type 1 (icon)


def test_favicon_ico_is_served(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
        assert response.data.startswith(ICO_HEADER)
        assert len(response.data) < 10_000


@pytest.mark.parametrize("path", ["/", "/login", "/password/forgot"])
def test_every_page_links_the_icon(client, path):
    html = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = re.search(r'<link rel="icon" href="([^"]+)"', html)
    assert match, html
    with client.get(match.group(1)) as icon:
        assert icon.status_code == 200 and icon.data.startswith(ICO_HEADER)

"""Steps a pupil takes in the browser, found by accessible names as a screen reader would."""

from __future__ import annotations

from playwright.sync_api import Page


def sign_in_with_password(page: Page, username: str, password: str) -> None:
    """On LeerID's login page: the username, "Volgende", the password, "Aanmelden"."""
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_role("button", name="Volgende", exact=True).click()
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Aanmelden", exact=True).click()

"""Fixtures for the sign-in pages: pupils with each kind of credential, and a mail server."""

from __future__ import annotations

import datetime as dt
import re
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from idp.models import Account, CredentialType, EducationType, Enrollment, Person
from idp.services.accounts import create_account
from idp.services.cards import issue_card
from tests.oidc.conftest import make_rp  # noqa: F401 - shared fixture: an app to sign in to

CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
STATE = re.compile(r'name="state" value="([^"]+)"')


@dataclass
class Pupil:
    """A pupil's account, the secret to type (or the picture ids to tap) and the card URL."""

    account: Account
    password: str
    pictures: tuple[str, ...]
    card_url: str

    @property
    def username(self) -> str:
        return self.account.username

    @property
    def card_path(self) -> str:
        return "/k/" + self.card_url.rsplit("/k/", 1)[1]


@pytest.fixture
def new_pupil(session, make_school) -> Callable[..., Pupil]:
    """An enrolled pupil with a new account and card, made by the real services."""
    counter = iter(range(1, 10_000))

    def make(
        credential: CredentialType = CredentialType.WORD,
        kind: EducationType | None = None,
        first: str = "Zoë",
        last: str = "D'Hondt",
        school=None,
    ) -> Pupil:
        if kind is None:
            advanced = credential in (CredentialType.TEMPORARY, CredentialType.OWN)
            kind = EducationType.GEWOON_SECUNDAIR if advanced else EducationType.GEWOON_LAGER
        person = Person(first_name=first, last_name=last)
        session.add(person)
        session.add(
            Enrollment(
                person=person,
                school=school or make_school(name="Basisschool De Regenboog"),
                stamnummer=str(next(counter)),
                administrative_group="2A",
                grade="2",
                education_type=kind,
                start_date=dt.date(2025, 9, 1),
            )
        )
        session.flush()
        own = "Mijn fiets heet Bliksem!" if credential is CredentialType.OWN else None
        created = create_account(session, person, credential=credential, password=own, actor="test")
        card = issue_card(session, created.account, actor="test")
        session.commit()
        return Pupil(
            created.account,
            created.password,
            tuple(p.id for p in created.pictures),
            card.url,
        )

    return make


def csrf_of(html: str) -> str:
    """The CSRF token of the page's form."""
    match = CSRF.search(html)
    assert match, html
    return match.group(1)


class Browser:
    """The Flask test client, posting forms with their CSRF token as a browser would."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, **kwargs)

    def submit(self, url: str, **fields: str) -> Any:
        """GET the page, then POST its form with the token and these fields."""
        page = self.client.get(url)
        assert page.status_code == 200, (url, page.status_code)
        html = page.get_data(as_text=True)
        data = {"csrf_token": csrf_of(html), **fields}
        state = STATE.search(html)
        if state and "state" not in fields:
            data["state"] = state.group(1)
        return self.client.post(url, data=data)

    def post_page(self, url: str, html: str, **fields: str) -> Any:
        """POST the form of an already loaded page (keeps its hidden state)."""
        data = {"csrf_token": csrf_of(html), **fields}
        state = STATE.search(html)
        if state and "state" not in fields:
            data["state"] = state.group(1)
        return self.client.post(url, data=data)

    def sign_in(self, pupil: Pupil, secret: str | None = None, query: str = "") -> Any:
        """Both steps: the username, then the password or the pictures."""
        step = self.submit("/login" + query, username=pupil.username)
        assert step.status_code == 302, step.get_data(as_text=True)
        return self.second_step(step.headers["Location"], pupil, secret)

    def second_step(self, url: str, pupil: Pupil, secret: str | None = None) -> Any:
        """The password field, or tapping the eight pictures one page at a time."""
        if "/login/pictures" not in url:
            return self.submit(url, password=secret if secret is not None else pupil.password)
        picks = secret.split() if secret is not None else list(pupil.pictures)
        html = self.client.get(url).get_data(as_text=True)
        response = None
        for pick in picks:
            response = self.post_page(url, html, pick=pick)
            html = response.get_data(as_text=True)
        return response


@pytest.fixture
def browser(client) -> Browser:
    """A browser on the test client."""
    return Browser(client)


@dataclass
class Mailbox:
    """Mails received by the test SMTP server."""

    messages: list[Message]

    def wait(self, count: int = 1, timeout: float = 5.0) -> list[Message]:
        """Wait until `count` mails arrived (they leave from a background thread)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.messages) >= count, f"{len(self.messages)} mails, expected {count}"
        return self.messages


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.box.messages.append(message_from_bytes(envelope.original_content))
        return "250 OK"


@pytest.fixture(scope="session")
def mail_server() -> Iterator[tuple[Controller, Mailbox]]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 for the whole run."""
    box = Mailbox([])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, box
    controller.stop()


@pytest.fixture
def settings(settings, mail_server) -> dict[str, dict[str, Any]]:
    """Every sign-in test app sends its mail to the test SMTP server."""
    controller, _ = mail_server
    settings["mail"] = {"smtp_host": controller.hostname, "smtp_port": controller.port}
    return settings


@pytest.fixture
def mailbox(mail_server) -> Mailbox:
    """The mails this test sent."""
    _, box = mail_server
    box.messages.clear()
    return box


def link_in(message: Message) -> str:
    """The path of the first LeerID link in a mail."""
    body = message.get_payload(decode=True).decode()
    match = re.search(r"https?://[^/\s]+(/\S+)", body)
    assert match, body
    return match.group(1)

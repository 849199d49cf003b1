"""QR cards: random hashed tokens, serials, generations that revoke, expiry, audit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

import idp.services.cards as cards
from idp.hashing import secret_hash
from idp.models import Account, AccountStatus, AuditEvent, EducationType, Enrollment, Person
from idp.services.accounts import create_account
from idp.services.cards import (
    SERIAL_ALPHABET,
    CardError,
    card_expiry,
    card_url,
    find_account_by_card,
    find_account_by_serial,
    issue_card,
    new_serial,
    normalise_serial,
)
from tests.national_numbers import with_official_data

ISSUER = "http://127.0.0.1:5000"
SERIAL = re.compile(rf"[{SERIAL_ALPHABET}]{{4}}-[{SERIAL_ALPHABET}]{{4}}")
# Four groups of four lower-case letters and digits, none that looks like another.
TYPEABLE = re.compile(r"[a-hjkmnp-z2-9]{4}(-[a-hjkmnp-z2-9]{4}){3}")


@pytest.fixture
def make_account(session, make_school):
    """Create a basic account for a new pupil of a (new) school."""
    counter = iter(range(1, 1000))

    def make() -> Account:
        number = next(counter)
        person = with_official_data(Person(first_name="Lotte", last_name=f"Claes{number}"))
        session.add(person)
        session.add(
            Enrollment(
                person=person,
                school=make_school(),
                stamnummer=str(number),
                education_type=EducationType.GEWOON_LAGER,
                start_date=dt.date(2025, 9, 1),
            )
        )
        session.flush()
        account = create_account(session, person, actor="test").account
        session.commit()
        return account

    return make


def token_of(url: str) -> str:
    assert url.startswith(f"{ISSUER}/k/")
    return url.removeprefix(f"{ISSUER}/k/")


def test_card_holds_a_typeable_random_token_stored_only_hashed(session, make_account):
    account = make_account()
    url, serial = issue_card(session, account, actor="test")
    session.commit()
    token = token_of(url)
    assert TYPEABLE.fullmatch(token), token
    assert account.card_token_hash == secret_hash(token.replace("-", ""))
    row = session.execute(select(Account.__table__).where(Account.id == account.id)).one()
    assert all(token not in str(value) for value in row)
    assert SERIAL.fullmatch(serial) and account.card_serial == serial
    assert account.card_generation == 1
    assert find_account_by_card(session, token) is account


def test_a_new_card_revokes_the_old_one(session, make_account):
    account = make_account()
    old_url, old_serial = issue_card(session, account, actor="test")
    new_url, new_serial = issue_card(session, account, actor="test")
    session.commit()
    assert account.card_generation == 2
    assert new_serial != old_serial and new_url != old_url
    assert find_account_by_card(session, token_of(old_url)) is None
    assert find_account_by_card(session, token_of(new_url)) is account
    assert find_account_by_serial(session, old_serial) is None


def test_tokens_and_serials_differ_between_accounts(session, make_account):
    issued = [issue_card(session, make_account(), actor="test") for _ in range(20)]
    assert len({card.url for card in issued}) == len({card.serial for card in issued}) == 20


def test_an_expired_card_no_longer_works(session, make_account):
    account = make_account()
    url, _ = issue_card(session, account, actor="test")
    account.card_expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    session.commit()
    assert find_account_by_card(session, token_of(url)) is None


@pytest.mark.parametrize("status", [AccountStatus.BLOCKED, AccountStatus.DEACTIVATED])
def test_a_card_of_an_account_that_cannot_log_in_does_not_work(session, make_account, status):
    account = make_account()
    url, _ = issue_card(session, account, actor="test")
    account.status = status
    session.commit()
    assert find_account_by_card(session, token_of(url)) is None


@pytest.mark.parametrize(
    "token",
    [
        "",
        "kort",
        "A" * 22,  # well-formed (an old card's form), but nobody has it
        "abcd-efgh-jkmn-pqrs",  # well-formed, but nobody has it
        "abcd-efgh-jkmn-pqr",  # a symbol short
        "abcd-efgh-jkmn-pqro",  # "o" is not on any card
        "A" * 21 + " ",
        "../../etc/passwd-and-some-more",
        "x" * 87,
    ],
)
def test_unknown_or_malformed_tokens_find_nobody(session, make_account, token):
    issue_card(session, make_account(), actor="test")
    session.commit()
    assert find_account_by_card(session, token) is None


def test_issuing_is_audited_without_the_token(session, make_account):
    account = make_account()
    url, serial = issue_card(session, account, actor="cli")
    session.commit()
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "card.issue")).one()
    assert event.actor == "cli"
    assert event.school_id is not None
    assert event.details["serial"] == serial and event.details["generation"] == 1
    assert token_of(url) not in str(event.details)


@pytest.mark.parametrize(
    ("issued", "expires"),
    [
        (dt.datetime(2025, 9, 15, 10, tzinfo=dt.UTC), dt.datetime(2026, 10, 1, tzinfo=dt.UTC)),
        (dt.datetime(2026, 6, 30, 23, tzinfo=dt.UTC), dt.datetime(2026, 10, 1, tzinfo=dt.UTC)),
        (dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC), dt.datetime(2027, 10, 1, tzinfo=dt.UTC)),
        (dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC), dt.datetime(2026, 10, 1, tzinfo=dt.UTC)),
    ],
)
def test_cards_last_until_october_after_their_school_year(issued, expires):
    assert card_expiry(issued) == expires


def test_a_new_card_expires_after_the_current_school_year(session, make_account):
    account = make_account()
    issue_card(session, account, actor="test")
    assert account.card_issued_at is not None
    assert account.card_expires_at == card_expiry(account.card_issued_at)
    assert dt.timedelta(days=90) < account.card_expires_at - account.card_issued_at
    assert account.card_expires_at - account.card_issued_at < dt.timedelta(days=460)


@pytest.mark.parametrize("typed", ["k7re 9xhm", "K7RE9XHM", " k7re-9xhm ", "K7RE-9XHM"])
def test_serials_are_found_however_they_are_typed(session, make_account, typed):
    account = make_account()
    account.card_serial = "K7RE-9XHM"
    session.commit()
    assert normalise_serial(typed) == "K7RE-9XHM"
    assert find_account_by_serial(session, typed) is account


def test_serials_use_only_readable_characters():
    drawn = [new_serial() for _ in range(500)]
    assert all(SERIAL.fullmatch(serial) for serial in drawn)
    assert not set("".join(drawn)) & set("0O1IL2Z5SBQD")
    assert len(set(drawn)) == 500


def test_a_taken_serial_is_drawn_again(session, make_account, monkeypatch):
    taken = make_account()
    taken.card_serial = "AAAA-AAAA"
    session.commit()
    draws = iter(["AAAA-AAAA", "AAAA-AAAA", "CCCC-CCCC"])
    monkeypatch.setattr(cards, "new_serial", lambda: next(draws))
    assert issue_card(session, make_account(), actor="test").serial == "CCCC-CCCC"


def test_giving_up_when_every_serial_is_taken(session, make_account, monkeypatch):
    taken = make_account()
    taken.card_serial = "AAAA-AAAA"
    session.commit()
    monkeypatch.setattr(cards, "new_serial", lambda: "AAAA-AAAA")
    with pytest.raises(CardError, match="no free card serial"):
        issue_card(session, make_account(), actor="test")


@pytest.mark.parametrize("issuer", ["https://leerid.example", "https://leerid.example/"])
def test_card_url_joins_the_issuer_without_a_double_slash(issuer):
    assert card_url("abcdefghjkmnpqrs", issuer) == "https://leerid.example/k/abcd-efgh-jkmn-pqrs"


def test_new_tokens_use_the_whole_alphabet_without_look_alikes():
    drawn = [cards.new_card_token() for _ in range(500)]
    assert all(len(token) == 16 for token in drawn) and len(set(drawn)) == 500
    assert set("".join(drawn)) == set(cards.CARD_TOKEN_ALPHABET)
    assert not set(cards.CARD_TOKEN_ALPHABET) & set("0o1il")
    assert cards.printed_token("abcdefghjkmnpqrs") == "abcd-efgh-jkmn-pqrs"


@pytest.mark.parametrize(
    "typed",
    ["{}", "{upper}", "{compact}", "{upper_compact}", "{spaced}"],
)
def test_a_card_is_found_however_a_child_types_its_token(session, make_account, typed):
    account = make_account()
    token = token_of(issue_card(session, account, actor="test").url)
    session.commit()
    compact = token.replace("-", "")
    text = typed.format(
        token,
        upper=token.upper(),
        compact=compact,
        upper_compact=compact.upper(),
        spaced=token.replace("-", " "),
    )
    assert find_account_by_card(session, text) is account


def test_cards_printed_before_the_typeable_form_keep_working(session, make_account):
    account = make_account()
    old_token = "mpj8oF8ySDBZLGK5rUpZKg"  # the form cards had: token_urlsafe(16)
    issue_card(session, account, actor="test")
    account.card_token_hash = secret_hash(old_token)
    session.commit()
    assert find_account_by_card(session, old_token) is account
    # The old form is compared exactly: its capitals are part of the token.
    assert find_account_by_card(session, old_token.lower()) is None
    assert card_url(old_token, ISSUER) == f"{ISSUER}/k/{old_token}"


def test_the_scanner_accepts_exactly_the_forms_a_card_holds():
    # static/scan.js gets this pattern from the sign-in page and follows only what matches.
    printed = cards.printed_token(cards.new_card_token())
    for token in (printed, "mpj8oF8ySDBZLGK5rUpZKg"):
        assert cards.SCANNED_TOKEN.fullmatch(token), token
    for token in ("abcd-efgh-jkmn", "abcd-efgh-jkmn-pqro", "abcd/efgh", "ABCD-EFGH-JKMN-PQRS"):
        assert not cards.SCANNED_TOKEN.fullmatch(token), token

"""Accounts: username proposals, temporary passwords and creating a LeerID for a pupil."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from idp.credentials.pictures import CATEGORIES, picture_secret
from idp.credentials.words import is_word_password
from idp.models import (
    Account,
    AccountKind,
    AuditEvent,
    CredentialType,
    EducationType,
    Enrollment,
    Person,
)
from idp.passwords import READABLE_ALPHABET, verify_secret
from idp.services.accounts import (
    AccountError,
    create_account,
    propose_username,
    temporary_password,
    username_part,
)
from tests.national_numbers import with_official_data

START = dt.date(2025, 9, 1)


@pytest.fixture
def enrolled(session, make_school):
    """Create a person enrolled in a (new) school with the given education type."""
    counter = iter(range(1, 10_000))

    def make(first="Jan", last="Peeters", kind=EducationType.GEWOON_LAGER, ended=False):
        person = with_official_data(Person(first_name=first, last_name=last))
        session.add(person)
        session.add(
            Enrollment(
                person=person,
                school=make_school(),
                stamnummer=str(next(counter)),
                education_type=kind,
                start_date=START,
                end_date=START + dt.timedelta(days=30) if ended else None,
            )
        )
        session.commit()
        return person

    return make


@pytest.fixture
def taken(session):
    """Store accounts with the given usernames (for clash tests; the hash is irrelevant)."""

    def take(*usernames):
        for username in usernames:
            person = Person(first_name="Bezet", last_name="Bezet")
            session.add(person)
            session.add(
                Account(
                    person=person,
                    username=username,
                    kind=AccountKind.BASIC,
                    credential_type=CredentialType.WORD,
                    password_hash="x",
                )
            )
        session.commit()

    return take


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Noëlla", "noella"),
        ("Van den Broeck", "vandenbroeck"),
        ("D'Hondt", "dhondt"),
        ("'t Kint", "tkint"),
        ("Çağan", "cagan"),
        ("Yılmaz", "yilmaz"),
        ("İlayda", "ilayda"),
        ("Łucja", "lucja"),
        ("Wiśniewska", "wisniewska"),
        ("Éloïse", "eloise"),
        ("Marie-Josée", "mariejosee"),
        ("El Amrani", "elamrani"),
        ("Bjørn", "bjorn"),
        ("Groß", "gross"),
        ("Dragoș", "dragos"),
        ("jan@school.be", "janschoolbe"),
        ("Мария", "mariya"),
        ("Αλέξανδρος", "alexandros"),
        ("—", ""),
        # Symbols are dropped, not spelt out by their names.
        ("Zoë🦄", "zoe"),
        ("Emoji😀", "emoji"),
        ("Ré©k€", "rek"),
        ("🦄", ""),
    ],
)
def test_username_part_is_lower_case_ascii(name, expected):
    assert username_part(name) == expected


def test_proposal_joins_first_and_last_name(session):
    assert propose_username(session, "Zoë", "D'Hondt") == "zoe.dhondt"
    assert propose_username(session, "Noëlla", "Van den Broeck") == "noella.vandenbroeck"


def test_clash_appends_the_first_free_number(session, taken):
    taken("jan.peeters")
    assert propose_username(session, "Jan", "Peeters") == "jan.peeters2"
    taken("jan.peeters2", "jan.peeters4")
    assert propose_username(session, "Jan", "Peeters") == "jan.peeters3"


def test_clash_beyond_one_batch_of_candidates(session, taken):
    taken("an.ma", *(f"an.ma{n}" for n in range(2, 26)))
    assert propose_username(session, "An", "Ma") == "an.ma26"


def test_long_names_are_cut_at_fifty_characters_before_the_number(session, taken):
    first, last = "Marie-Antoinette Josephine", "Vanderhaeghen-Van de Casteele Oosterlinck"
    proposal = propose_username(session, first, last)
    assert len(proposal) == 50
    assert proposal.startswith("marieantoinettejosephine.vanderhaeghen")
    taken(proposal)
    second = propose_username(session, first, last)
    assert len(second) == 50 and second == proposal[:49] + "2"


def test_proposal_never_contains_an_at_sign(session):
    assert "@" not in propose_username(session, "jan@", "@peeters.be")


def test_names_in_other_scripts_get_their_latin_reading(session):
    # The trial found Greek and Chinese pupils all named "leerling", "leerling2", ...
    assert propose_username(session, "Мария", "Peeters") == "mariya.peeters"
    assert propose_username(session, "Αλέξανδρος", "Ελένη") == "alexandros.eleni"
    assert propose_username(session, "小明", "王") == "xiaoming.wang"


def test_names_without_any_letters_fall_back(session):
    assert propose_username(session, "—", "-") == "leerling"


def test_temporary_password_has_eight_readable_characters():
    drawn = [temporary_password() for _ in range(100)]
    assert all(len(p) == 8 and set(p) <= set(READABLE_ALPHABET) for p in drawn)
    assert len(set(drawn)) == 100


@pytest.mark.parametrize(
    ("kind", "expected", "credential"),
    [
        (EducationType.GEWOON_LAGER, AccountKind.BASIC, CredentialType.WORD),
        (EducationType.BUITENGEWOON_SECUNDAIR, AccountKind.BASIC, CredentialType.WORD),
        (EducationType.GEWOON_SECUNDAIR, AccountKind.ADVANCED, CredentialType.TEMPORARY),
    ],
)
def test_create_account_stores_only_the_hash(session, enrolled, kind, expected, credential):
    person = enrolled("Zoë", "D'Hondt", kind)
    created = create_account(session, person, actor="cli")
    session.commit()
    account = session.scalars(select(Account).where(Account.person_id == person.id)).one()
    assert account.username == "zoe.dhondt"
    assert account.kind is expected
    assert account.credential_type is credential
    assert account.must_change_password is (credential is CredentialType.TEMPORARY)
    assert account.password_hash.startswith("$argon2id$")
    assert created.password not in account.password_hash
    assert verify_secret(account.password_hash, created.password)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "account.create")).one()
    assert event.actor == "cli"
    assert event.details["username"] == "zoe.dhondt"
    assert created.password not in str(event.details)


def test_create_account_with_an_edited_username_and_own_password(session, enrolled):
    person = enrolled(kind=EducationType.GEWOON_SECUNDAIR)
    created = create_account(
        session,
        person,
        username="Jan.P",
        credential=CredentialType.OWN,
        password="een lang eigen wachtwoord",
        actor="cli",
    )
    assert created.account.username == "jan.p"
    assert created.account.must_change_password is False


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("jan@school", "cannot contain @"),
        ("x" * 51, "1 to 50 characters"),
        (".jan", "only a-z, 0-9"),
        ("taken.name", "already taken"),
    ],
)
def test_edited_username_is_checked(session, enrolled, taken, username, message):
    taken("taken.name")
    with pytest.raises(AccountError, match=message):
        create_account(session, enrolled(), username=username, actor="cli")


def test_pupil_without_active_enrollment_is_refused(session, enrolled):
    person = enrolled("Éloïse", "Dubois", ended=True)
    with pytest.raises(AccountError, match="Éloïse Dubois has no active enrollment"):
        create_account(session, person, actor="cli")


def test_second_account_is_refused(session, enrolled):
    person = enrolled()
    create_account(session, person, actor="cli")
    with pytest.raises(AccountError, match="already has a LeerID"):
        create_account(session, person, actor="cli")


# Each picture's neighbour in its own category.
NEIGHBOUR = {p.id: c.pictures[i - 1].id for c in CATEGORIES for i, p in enumerate(c.pictures)}
SECONDARY = EducationType.GEWOON_SECUNDAIR
PRIMARY = EducationType.GEWOON_LAGER


@pytest.mark.parametrize(
    ("education", "credential", "password", "message"),
    [
        (SECONDARY, CredentialType.OWN, "te kort", "at least 12 characters"),
        (SECONDARY, CredentialType.OWN, None, "at least 12 characters"),
        (SECONDARY, CredentialType.TEMPORARY, "kort", "8 to 60 printable ASCII"),
        # Typed once from the printed card: longer than a card prints, or not on a keyboard.
        (SECONDARY, CredentialType.TEMPORARY, "Tijdelijk" + "x" * 51 + "1", "8 to 60"),
        (SECONDARY, CredentialType.TEMPORARY, "😀" * 8, "printable ASCII"),
        (SECONDARY, CredentialType.TEMPORARY, "Wachtwoord\u200b1", "printable ASCII"),
        (SECONDARY, CredentialType.TEMPORARY, "Wachtwoord\t1", "printable ASCII"),
        (PRIMARY, CredentialType.WORD, "kat48", "a listed word and digits"),
        (PRIMARY, CredentialType.PICTURE, "dieren-kat", "not a picture password"),
    ],
)
def test_unusable_credentials_are_refused(
    session, enrolled, education, credential, password, message
):
    with pytest.raises(AccountError, match=message):
        create_account(
            session, enrolled(kind=education), credential=credential, password=password, actor="cli"
        )


@pytest.mark.parametrize(
    ("education", "credential", "kind", "allowed"),
    [
        (PRIMARY, CredentialType.TEMPORARY, "basic", "word or picture"),
        (PRIMARY, CredentialType.OWN, "basic", "word or picture"),
        (EducationType.BUITENGEWOON_LAGER, CredentialType.TEMPORARY, "basic", "word or picture"),
        (SECONDARY, CredentialType.WORD, "advanced", "temporary or own"),
        (SECONDARY, CredentialType.PICTURE, "advanced", "temporary or own"),
    ],
)
def test_each_kind_of_account_gets_only_its_own_credentials(
    session, enrolled, education, credential, kind, allowed
):
    person = enrolled("Éloïse", "Dubois", kind=education)
    with pytest.raises(AccountError) as refused:
        create_account(session, person, credential=credential, actor="cli")
    assert str(refused.value) == (
        f"{credential} passwords are not for {kind} accounts (Éloïse Dubois); "
        f"{kind} accounts get a {allowed} password"
    )
    assert session.scalar(select(Account.id).where(Account.person_id == person.id)) is None


def test_word_password_for_a_basic_account(session, enrolled):
    created = create_account(session, enrolled(), credential=CredentialType.WORD, actor="cli")
    account = created.account
    assert is_word_password(created.password) and created.shown_password == created.password
    assert (account.credential_type, account.must_change_password) == (CredentialType.WORD, False)
    assert created.pictures == () and created.password not in account.password_hash
    assert verify_secret(account.password_hash, created.password)
    assert not verify_secret(account.password_hash, created.password.upper())


def test_picture_password_for_a_basic_account(session, enrolled):
    created = create_account(session, enrolled(), credential=CredentialType.PICTURE, actor="cli")
    account = created.account
    ids = [picture.id for picture in created.pictures]
    assert [picture.category for picture in created.pictures] == [c.id for c in CATEGORIES]
    assert created.password == picture_secret(ids)
    assert created.shown_password == [picture.dutch for picture in created.pictures]
    assert account.credential_type is CredentialType.PICTURE and not account.must_change_password
    assert created.password not in account.password_hash
    # The login page sends the tapped pictures in any order; the secret is canonical.
    assert verify_secret(account.password_hash, picture_secret(reversed(ids)))
    other = [NEIGHBOUR[picture_id] for picture_id in ids]  # wrong in all 8 places
    assert not verify_secret(account.password_hash, picture_secret(other))
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "account.create")).one()
    assert event.details["credential"] == "picture"
    assert all(picture_id not in str(event.details) for picture_id in ids)


def test_demo_may_give_reproducible_word_and_picture_passwords(session, enrolled):
    word = create_account(session, enrolled(), password="boom47", actor="demo")
    assert word.password == "boom47" and verify_secret(word.account.password_hash, "boom47")
    secret = picture_secret(c.pictures[3].id for c in CATEGORIES)
    picture = create_account(
        session, enrolled(), credential=CredentialType.PICTURE, password=secret, actor="demo"
    )
    assert picture.shown_password == [c.pictures[3].dutch for c in CATEGORIES]
    assert verify_secret(picture.account.password_hash, secret)


def test_no_account_without_official_data(session, enrolled):
    person = enrolled()
    person.national_number_hash = person.national_number_encrypted = None
    session.commit()
    with pytest.raises(AccountError, match="no official data"):
        create_account(session, person, actor="cli")

"""`leerid accounts create`: the interface contract, all-or-nothing runs, clear errors."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
import zipfile

import click
import pytest
import zxingcpp
from openpyxl import load_workbook
from sqlalchemy import func, select

from idp.credentials.pictures import CATEGORIES, PICTURES, picture_secret
from idp.credentials.words import is_word_password
from idp.models import Account, AccountKind, AuditEvent, EducationType, Enrollment, Person
from idp.passwords import READABLE_ALPHABET, verify_secret
from idp.services.accounts import create_account
from idp.services.cards import find_account_by_card, find_account_by_serial
from idp.services.printing import school_day
from tests.national_numbers import with_official_data
from tests.print_service.conftest import read_pdf

SCHOOL = "990101"
KEYS = {"stamnummer", "username", "credential", "password", "card_url", "card_serial"}
ISSUER = "http://127.0.0.1:5000"
BY_DUTCH_NAME = {picture.dutch: picture for picture in PICTURES.values()}
PRIMARY = EducationType.GEWOON_LAGER
SECONDARY = EducationType.GEWOON_SECUNDAIR


@pytest.fixture
def school(session, make_school):
    """A school with pupils: three without a LeerID, one with, one who left; and a neighbour.

    stamnummer: 1 basic (class 1A), 2 basic (1A), 3 advanced (3B), 4 has a LeerID,
    5 left the school; 6 is enrolled at another school.
    """
    here, other = make_school(SCHOOL), make_school("990202", name="Sint-Jozef")
    start = dt.date(2025, 9, 1)
    pupils = [
        ("1", "Zoë", "Peeters", PRIMARY, "1A", here, None),
        ("2", "Amir", "El Amrani", PRIMARY, "1A", here, None),
        ("3", "Lotte", "Claes", SECONDARY, "3B", here, None),
        ("4", "Jonas", "Maes", PRIMARY, "1A", here, None),
        ("5", "Emma", "Wouters", PRIMARY, "1A", here, start + dt.timedelta(days=30)),
        ("6", "Noah", "Janssens", PRIMARY, "2A", other, None),
    ]
    for stamnummer, first, last, education, group, where, ended in pupils:
        person = with_official_data(Person(first_name=first, last_name=last))
        session.add(person)
        session.add(
            Enrollment(
                person=person,
                school=where,
                stamnummer=stamnummer,
                administrative_group=group,
                education_type=education,
                start_date=start,
                end_date=ended,
            )
        )
        session.flush()
        if stamnummer == "4":
            create_account(session, person, actor="test")
    session.commit()
    return here


def account_count(session):
    session.rollback()  # a fresh snapshot: the command committed in its own session
    return session.scalar(select(func.count()).select_from(Account))


def audit_count(session):
    return session.scalar(select(func.count()).select_from(AuditEvent))


def run_json(leerid, *args):
    result = leerid("accounts", "create", "--school", SCHOOL, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def account_of(session, row):
    session.rollback()
    return session.scalars(select(Account).where(Account.username == row["username"])).one()


def test_creates_an_account_and_card_for_each_pupil_without_one(leerid, session, school):
    data = run_json(leerid)
    assert list(data) == ["accounts"]
    rows = data["accounts"]
    assert all(set(row) == KEYS for row in rows)
    # Sorted by class, then name; pupil 4 has a LeerID, 5 left, 6 is at another school.
    assert [row["stamnummer"] for row in rows] == ["2", "1", "3"]
    assert [row["credential"] for row in rows] == ["word", "word", "temporary"]
    assert [row["username"] for row in rows] == ["amir.elamrani", "zoe.peeters", "lotte.claes"]
    assert account_count(session) == 4
    for row in rows:
        account = account_of(session, row)
        assert verify_secret(account.password_hash, row["password"])
        assert row["password"] not in account.password_hash
        assert row["card_url"].startswith(f"{ISSUER}/k/")
        token = row["card_url"].removeprefix(f"{ISSUER}/k/")
        assert len(token.replace("-", "")) == 16
        assert token.replace("-", "") not in (account.card_token_hash or "")
        assert find_account_by_card(session, token) is account
        assert find_account_by_serial(session, row["card_serial"]) is account
    assert is_word_password(rows[0]["password"]) and is_word_password(rows[1]["password"])
    assert len(rows[2]["password"]) == 8 and set(rows[2]["password"]) <= set(READABLE_ALPHABET)
    assert account_of(session, rows[2]).kind is AccountKind.ADVANCED


def test_picture_passwords_are_printed_as_dutch_names_in_order(leerid, session, school):
    rows = run_json(leerid, "--stamnummer", "1", "--stamnummer", "2", "--credential", "picture")[
        "accounts"
    ]
    assert [row["stamnummer"] for row in rows] == ["2", "1"]
    for row in rows:
        assert row["credential"] == "picture"
        names = row["password"]
        assert isinstance(names, list) and len(names) == 8
        pictures = [BY_DUTCH_NAME[name] for name in names]
        assert [p.category for p in pictures] == [c.id for c in CATEGORIES]
        account = account_of(session, row)
        assert verify_secret(account.password_hash, picture_secret(p.id for p in pictures))


def test_only_the_listed_pupils(leerid, session, school):
    rows = run_json(leerid, "--stamnummer", "3", "--stamnummer", "3")["accounts"]
    assert [(row["stamnummer"], row["credential"]) for row in rows] == [("3", "temporary")]
    assert account_count(session) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--stamnummer", "99"), "stamnummer 99 is not enrolled"),
        (("--stamnummer", "6"), "stamnummer 6 is not enrolled"),
        (("--stamnummer", "5"), "stamnummer 5 is no longer enrolled"),
        (("--stamnummer", "4"), "stamnummer 4 already has a LeerID (jonas.maes)"),
        (
            ("--stamnummer", "1", "--stamnummer", "4", "--stamnummer", "99"),
            "stamnummer 4 already has a LeerID (jonas.maes); stamnummer 99 is not enrolled",
        ),
        (
            ("--credential", "picture"),
            "a picture password is not for these pupils (basic accounts get a word or "
            "picture password, advanced ones a temporary password): "
            "stamnummer 3 (Lotte Claes, advanced account)",
        ),
        (
            ("--credential", "temporary"),
            "stamnummer 2 (Amir El Amrani, basic account), "
            "stamnummer 1 (Zoë Peeters, basic account)",
        ),
        (
            ("--credential", "word", "--stamnummer", "3"),
            "stamnummer 3 (Lotte Claes, advanced account)",
        ),
    ],
)
def test_any_problem_creates_nothing(leerid, session, school, args, message):
    before = (account_count(session), audit_count(session))
    result = leerid("accounts", "create", "--school", SCHOOL, *args, "--json")
    assert result.exit_code == 1
    assert message in result.output
    assert result.stdout == ""
    assert (account_count(session), audit_count(session)) == before


def test_unknown_school(leerid, session, school):
    result = leerid("accounts", "create", "--school", "123", "--json")
    assert result.exit_code == 1
    assert "no school with instellingsnummer 123" in result.output


def test_a_bad_credential_choice_is_refused_by_the_command(leerid, school):
    result = leerid("accounts", "create", "--school", SCHOOL, "--credential", "own")
    assert result.exit_code == 2 and "'own' is not one of" in result.output


def test_out_writes_the_zip_of_the_created_accounts(leerid, session, school, tmp_path):
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "kaartjes.zip"
    result = leerid("accounts", "create", "--school", SCHOOL, "--out", str(out), "--json")
    rows = json.loads(result.stdout)["accounts"]
    assert f"Wrote {out}: the Excel list, the A4 cards and the stickers." in result.stderr
    with zipfile.ZipFile(out) as bundle:
        names = bundle.namelist()
        stem = f"leerid-{SCHOOL}-{school_day().isoformat()}"
        assert names == [f"{stem}.xlsx", f"{stem}-kaartjes-a4.pdf", f"{stem}-stickers-105x48.pdf"]
        sheet = load_workbook(io.BytesIO(bundle.read(names[0]))).active
        pdf = bundle.read(names[1])
    listed = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    # Excel: school, class, stamnummer, naam, voornaam, username, password, URL, serial.
    assert [row[2] for row in listed] == [row["stamnummer"] for row in rows]
    for line, row in zip(listed, rows, strict=True):
        assert line[5:] == [row["username"], row["password"], row["card_url"], row["card_serial"]]
    assert pdf.startswith(b"%PDF-")
    assert out.stat().st_mode & 0o077 == 0  # passwords: readable by the owner only
    assert list(out.parent.iterdir()) == [out]  # no temporary file left


def test_the_printed_qr_codes_open_each_pupils_sign_in(leerid, session, school, tmp_path, app):
    out = tmp_path / "out.zip"
    rows = run_json(leerid, "--credential", "picture", "--stamnummer", "1", "--stamnummer", "2",
                    "--out", str(out))["accounts"]  # fmt: skip
    with zipfile.ZipFile(out) as bundle:
        a4, stickers = (bundle.read(name) for name in bundle.namelist()[1:])
    for document in (a4, stickers):
        scanned = [
            code.text
            for page in read_pdf(document).pages
            for code in zxingcpp.read_barcodes(page.image)
        ]
        assert sorted(scanned) == sorted(row["card_url"] for row in rows)
    for url, row in ((r["card_url"], r) for r in rows):
        browser = app.test_client()
        opened = browser.get(url.removeprefix(ISSUER))
        assert opened.headers["Location"].startswith("/login/pictures?")
        page = browser.get(opened.headers["Location"]).get_data(as_text=True)
        assert row["username"] in page


def test_out_never_overwrites_and_then_creates_nothing(leerid, session, school, tmp_path):
    out = tmp_path / "bestaat.zip"
    out.write_bytes(b"the school's own file")
    result = leerid("accounts", "create", "--school", SCHOOL, "--out", str(out))
    assert result.exit_code == 1 and "already exists" in result.output
    assert out.read_bytes() == b"the school's own file"
    assert account_count(session) == 1
    missing = tmp_path / "geen-map" / "b.zip"
    result = leerid("accounts", "create", "--school", SCHOOL, "--out", str(missing))
    assert result.exit_code == 1 and "does not exist" in result.output
    assert account_count(session) == 1


def test_a_zip_that_cannot_be_written_creates_nothing(
    leerid, session, school, tmp_path, monkeypatch
):
    def refuse(path, data):
        raise click.ClickException(f"cannot write {path}: No space left on device")

    monkeypatch.setattr("idp.cli.accounts.write_new_file", refuse)
    out = tmp_path / "b.zip"
    result = leerid("accounts", "create", "--school", SCHOOL, "--out", str(out))
    assert result.exit_code == 1 and "No space left on device" in result.output
    assert account_count(session) == 1 and not out.exists()


def test_a_failed_commit_leaves_no_zip(leerid, session, school, tmp_path, monkeypatch):
    from idp.db import Database

    @contextlib.contextmanager
    def failing_commit(self):
        with self.sessionmaker() as transaction_session:
            yield transaction_session
            # The work is done, then the commit fails: as if the database went away.
            transaction_session.rollback()
            raise RuntimeError("the database went away at commit")

    monkeypatch.setattr(Database, "transaction", failing_commit)
    out = tmp_path / "b.zip"
    with pytest.raises(RuntimeError, match="went away"):
        leerid("accounts", "create", "--school", SCHOOL, "--out", str(out))
    assert account_count(session) == 1 and not out.exists()


def test_nothing_to_create_writes_no_zip(leerid, session, school, tmp_path):
    run_json(leerid)
    out = tmp_path / "b.zip"
    result = leerid("accounts", "create", "--school", SCHOOL, "--out", str(out), "--json")
    assert json.loads(result.stdout) == {"accounts": []}
    assert f"Nothing created, so {out} was not written." in result.stderr
    assert not out.exists()


def test_running_again_creates_nothing_more(leerid, session, school):
    assert len(run_json(leerid)["accounts"]) == 3
    assert run_json(leerid) == {"accounts": []}
    result = leerid("accounts", "create", "--school", SCHOOL)
    assert result.exit_code == 0
    assert "nothing created" in result.output


def test_without_json_one_line_per_pupil(leerid, session, school):
    result = leerid("accounts", "create", "--school", SCHOOL, "--credential", "picture",
                    "--stamnummer", "1")  # fmt: skip
    assert result.exit_code == 0, result.output
    header, line = result.stdout.strip().split("\n")
    assert header.split("\t") == [
        "stamnummer", "username", "credential", "password", "card_serial", "card_url"
    ]  # fmt: skip
    stamnummer, username, credential, password, serial, url = line.split("\t")
    assert (stamnummer, username, credential) == ("1", "zoe.peeters", "picture")
    assert len(password.split(" ")) == 8
    assert url.startswith(f"{ISSUER}/k/") and re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", serial)
    assert "Created 1 LeerID." in result.output


def test_each_account_and_card_is_audited_as_the_cli(leerid, session, school):
    rows = run_json(leerid)["accounts"]
    session.rollback()
    events = session.scalars(select(AuditEvent).where(AuditEvent.actor == "cli")).all()
    assert sorted(event.action for event in events) == ["account.create"] * 3 + ["card.issue"] * 3
    for event in events:
        text = json.dumps(event.details)
        assert all(row["card_url"] not in text for row in rows)
        assert all(str(row["password"]) not in text for row in rows)


def test_pupils_without_official_data_are_left_out_and_listed(leerid, session, school):
    # Pupil 1 loses the rijksregisternummer in the school's records: no account for Zoë.
    zoe = session.scalars(select(Person).where(Person.first_name == "Zoë")).one()
    zoe.national_number_hash = zoe.national_number_encrypted = None
    session.commit()
    result = leerid("accounts", "create", "--school", SCHOOL, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["accounts"]
    assert [row["stamnummer"] for row in rows] == ["2", "3"]
    assert "stamnummer 1" in result.stderr and "rijksregister" in result.stderr
    # Named explicitly, she is refused and nothing is created.
    refused = leerid("accounts", "create", "--school", SCHOOL, "--stamnummer", "1")
    assert refused.exit_code != 0
    assert "no official data" in refused.output
    assert account_count(session) == 3

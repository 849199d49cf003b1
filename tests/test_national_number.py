"""Rijksregisternummer and bisnummer validation, check digits included."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from idp.keystore import ensure_secrets, load_secrets
from idp.national_number import InvalidNationalNumber, parse_national_number
from tests.national_numbers import make_national_number


@pytest.mark.parametrize(
    ("text", "birth"),
    [
        ("93.05.18-223.61", dt.date(1993, 5, 18)),  # the example in the register's docs
        ("85073003328", dt.date(1985, 7, 30)),
        (" 85 07 30 033 28 ", dt.date(1985, 7, 30)),
        ("00010100173", dt.date(1900, 1, 1)),
        ("00010100105", dt.date(2000, 1, 1)),  # same digits, born from 2000 on: other check
    ],
)
def test_valid_numbers_give_their_birth_date(text, birth):
    number = parse_national_number(text)
    assert number.birth_date == birth
    assert not number.is_bis
    assert len(number.digits) == 11


@pytest.mark.parametrize("year", [1999, 2000, 2012, 2019, 2023])
@pytest.mark.parametrize("serial", [1, 2, 997, 998])
def test_pupils_born_around_and_after_2000(year, serial):
    birth = dt.date(year, 2, 28)
    assert parse_national_number(make_national_number(birth, serial)).birth_date == birth


@pytest.mark.parametrize("sex_known", [True, False])
def test_bis_numbers(sex_known):
    text = make_national_number(dt.date(2014, 11, 3), 45, bis=True, sex_known=sex_known)
    number = parse_national_number(text)
    assert number.is_bis
    assert number.birth_date == dt.date(2014, 11, 3)


def test_bis_number_with_unknown_birth_date():
    body = "000000123"  # month and day 00: birth date unknown
    number = parse_national_number(f"{body}{97 - int(body) % 97:02d}")
    assert number.birth_date is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("93.05.18-223.62", "checksum"),
        ("93051822360", "checksum"),
        ("9305182236", "length"),
        ("930518223611", "length"),
        ("93O51822361", "length"),
        ("", "length"),
        ("९३०५१८२२३६१", "length"),  # Devanagari digits are digits, but not ours
    ],
)
def test_invalid_numbers_say_why(text, reason):
    with pytest.raises(InvalidNationalNumber) as caught:
        parse_national_number(text)
    assert caught.value.reason == reason


def test_impossible_date_with_correct_check_digits_is_refused():
    body = "120231001"  # 31 February
    with pytest.raises(InvalidNationalNumber) as caught:
        parse_national_number(f"{body}{97 - int('2' + body) % 97:02d}")
    assert caught.value.reason == "date"


def test_masked_form_hides_the_number():
    assert parse_national_number("93051822361").masked == "93.••.••-•••.61"


def test_encrypted_copy_round_trips_and_survives_key_rotation(tmp_path):
    ensure_secrets(tmp_path / "old")
    ensure_secrets(tmp_path / "new")
    old = load_secrets(tmp_path / "old")
    token = old.encrypt("93051822361")
    assert "93051822361" not in token
    assert old.encrypt("93051822361") != token  # a fresh nonce every time
    assert old.decrypt(token) == "93051822361"

    # Rotation: the new key goes first (it encrypts); the old one stays to decrypt.
    content = json.loads((tmp_path / "old" / "secrets.json").read_text())
    new_key = json.loads((tmp_path / "new" / "secrets.json").read_text())["encryption_keys"][0]
    content["encryption_keys"].insert(0, new_key)
    (tmp_path / "old" / "secrets.json").write_text(json.dumps(content))
    rotated = load_secrets(tmp_path / "old")
    assert rotated.decrypt(token) == "93051822361"
    with pytest.raises(ValueError):
        old.decrypt(rotated.encrypt("85073003328"))

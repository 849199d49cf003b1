"""Word and picture passwords: the curated lists, drawing, the stored form and the rules."""

from __future__ import annotations

import math
import re
import secrets
from collections import Counter
from pathlib import Path

import pytest

import idp.credentials.pictures as pictures_module
import idp.credentials.words as words_module
from idp.credentials import (
    CREDENTIALS_BY_KIND,
    CredentialError,
    allows,
    default_credential,
    new_credential,
)
from idp.credentials.pictures import (
    CATEGORIES,
    PICTURES,
    PictureError,
    combination_count,
    picture_password,
    picture_secret,
    pictures_of,
)
from idp.credentials.words import (
    DIGITS,
    PASSWORD_LENGTH,
    WORD_LENGTHS,
    WORDS,
    is_word_password,
    password_count,
    word_password,
)
from idp.models import AccountKind, CredentialType
from idp.passwords import Argon2Parameters, hash_secret, verify_secret

FAST = Argon2Parameters(time_cost=1, memory_cost=64, parallelism=1)
PICTURE_DIR = Path(pictures_module.__file__).parents[1] / "static" / "pictures"
# Substrings that must never appear in a word password: Dutch and English rude words and
# slurs, violence and death, and digit groups with a hateful or crude meaning.
BLOCKLIST = (
    "kut", "lul", "pik", "kak", "pis", "poep", "poes", "kont", "tiet", "tet", "reet", "neuk",
    "hoer", "slet", "seks", "sex", "fuck", "shit", "cum", "ass", "tit", "dick", "cock", "anus",
    "homo", "gay", "fag", "mof", "jood", "neger", "nikker", "nazi", "hitler", "kkk", "ss",
    "aap", "ezel", "varken", "zwijn", "trut", "sukkel", "dom", "debiel", "mongool", "gek",
    "dood", "moord", "bom", "gun", "kill", "mes", "bloed", "lijk", "graf", "spook", "heks",
    "wip", "zak", "pot", "gat", "hol", "bil", "drol", "scheet",
    "88", "69", "666", "18", "14", "0", "1",
)  # fmt: skip


def every_word_password():
    """All passwords `word_password` can return, by feeding it each index once."""
    return [word_password(randbelow=lambda _n, i=i: i) for i in range(password_count())]


def test_word_list_is_large_unique_lower_case_ascii_and_short():
    assert len(WORDS) >= 300
    assert len(set(WORDS)) == len(WORDS)
    assert all(re.fullmatch(r"[a-z]+", word) for word in WORDS)
    assert {len(word) for word in WORDS} == set(WORD_LENGTHS)
    assert max(WORD_LENGTHS) < PASSWORD_LENGTH


def test_no_password_contains_a_blocked_substring():
    passwords = every_word_password()
    blocked = re.compile("|".join(map(re.escape, BLOCKLIST)))
    assert [p for p in passwords if blocked.search(p)] == []
    assert len(set(passwords)) == len(passwords) == password_count()


def test_every_password_is_a_word_then_digits_six_characters():
    for password in every_word_password():
        word = password.rstrip(DIGITS)
        assert len(password) == PASSWORD_LENGTH
        assert word in WORDS and set(password[len(word) :]) <= set(DIGITS)
        assert is_word_password(password)


def test_entropy_in_the_docstring_is_the_real_one():
    count = password_count()
    assert f"= {count:,} passwords" in words_module.__doc__
    assert f"≈ {math.log2(count):.1f} bits" in words_module.__doc__
    assert 15 < math.log2(count) < 17


def test_word_passwords_come_from_the_csprng_and_spread_out():
    assert word_password.__defaults__ == (secrets.randbelow,)
    drawn = [word_password() for _ in range(2000)]
    # About 36 repeats are expected among 2,000 draws from 55,864; a broken source has many.
    assert len(set(drawn)) > 1900
    # Uniform over passwords: most have a 3-letter word, whose digit groups are many.
    lengths = Counter(len(p.rstrip(DIGITS)) for p in drawn)
    assert lengths[3] > lengths[4] > lengths[5]


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("kat482", True),
        ("boom47", True),
        ("appel3", True),
        ("kat488", False),  # 88
        ("kat469", False),  # 69
        ("kat182", False),  # no 0 or 1
        ("kat48", False),
        ("kat4822", False),
        ("boom4", False),
        ("Kat482", False),
        ("xyz482", False),
        ("482kat", False),
        ("", False),
    ],
)
def test_is_word_password(text, valid):
    assert is_word_password(text) is valid


def test_picture_catalogue_has_8_categories_of_12_with_unique_names():
    assert len(CATEGORIES) == 8
    assert all(len(category.pictures) == 12 for category in CATEGORIES)
    everything = [p for category in CATEGORIES for p in category.pictures]
    assert len(PICTURES) == len(everything) == 96
    for names in ([p.dutch for p in everything], [p.english for p in everything]):
        assert len(set(names)) == 96
        assert all(name == name.strip() and name for name in names)
    for category in CATEGORIES:
        assert all(p.id.startswith(f"{category.id}-") for p in category.pictures)
        assert all(p.category == category.id for p in category.pictures)
    assert all(re.fullmatch(r"[a-z]+-[a-z]+", picture_id) for picture_id in PICTURES)


def test_every_picture_ships_as_svg_with_licence_and_attribution():
    files = {path.name for path in PICTURE_DIR.iterdir()}
    assert files == {f"{p}.svg" for p in PICTURES} | {"LICENSE-GRAPHICS", "ATTRIBUTION.md"}
    for picture in PICTURES.values():
        text = (PICTURE_DIR.parent / picture.static_path).read_text(encoding="utf-8")
        assert text.startswith("<svg") and "<script" not in text
    attribution = (PICTURE_DIR / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for needed in ("Twemoji", "CC-BY 4.0", "@twemoji/svg", "15.0.0"):
        assert needed in attribution
    licence = (PICTURE_DIR / "LICENSE-GRAPHICS").read_text(encoding="utf-8")
    assert "Creative Commons Attribution 4.0 International Public License" in licence


def test_combinations_match_the_docstring():
    assert combination_count() == 12**8
    assert f"{12**8:,}" in pictures_module.__doc__


def test_picture_password_takes_one_of_each_category_in_order():
    drawn = picture_password()
    assert [p.category for p in drawn] == [c.id for c in CATEGORIES]
    assert picture_password.__defaults__ == (secrets.randbelow,)
    seen = Counter(p.id for _ in range(600) for p in picture_password())
    # 600 draws per category: each of its 12 pictures is expected 50 times.
    assert set(seen) == set(PICTURES) and min(seen.values()) > 15


def test_picture_secret_ignores_the_tapping_order():
    drawn = picture_password()
    ids = [p.id for p in drawn]
    secret = picture_secret(ids)
    assert secret == " ".join(ids)
    assert picture_secret(reversed(ids)) == secret
    assert pictures_of(secret) == drawn


def _one_per_category() -> list[str]:
    return [category.pictures[0].id for category in CATEGORIES]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda ids: ids[:-1], "exactly one picture from each"),
        (lambda ids: [*ids, ids[0]], "exactly one picture from each"),
        (lambda ids: [ids[0], CATEGORIES[0].pictures[1].id, *ids[2:]], "exactly one"),
        (lambda ids: [*ids[:-1], "muziek-drumstel"], "unknown picture"),
        (lambda ids: [], "exactly one picture from each"),
    ],
)
def test_picture_secret_refuses_anything_but_one_per_category(change, message):
    with pytest.raises(PictureError, match=message):
        picture_secret(change(_one_per_category()))


def test_pictures_of_refuses_a_secret_out_of_order():
    ids = _one_per_category()
    with pytest.raises(PictureError, match="not a picture password"):
        pictures_of(" ".join(reversed(ids)))


@pytest.mark.parametrize(
    ("kind", "allowed", "default"),
    [
        (AccountKind.BASIC, {CredentialType.WORD, CredentialType.PICTURE}, CredentialType.WORD),
        (
            AccountKind.ADVANCED,
            {CredentialType.TEMPORARY, CredentialType.OWN},
            CredentialType.TEMPORARY,
        ),
    ],
)
def test_which_kind_gets_which_credential(kind, allowed, default):
    assert set(CREDENTIALS_BY_KIND[kind]) == allowed
    assert default_credential(kind) is default
    assert {c for c in CredentialType if allows(kind, c)} == allowed


@pytest.mark.parametrize("credential", list(CredentialType))
def test_new_credentials_verify_and_their_hash_hides_them(credential):
    own = "een eigen wachtwoord" if credential is CredentialType.OWN else None
    new = new_credential(credential, own)
    stored = hash_secret(new.secret, FAST)
    assert stored.startswith("$argon2id$") and new.secret not in stored
    assert verify_secret(stored, new.secret, FAST)
    assert new.must_change is (credential is CredentialType.TEMPORARY)
    if credential is CredentialType.PICTURE:
        assert len(new.pictures) == 8
        assert verify_secret(stored, picture_secret(p.id for p in reversed(new.pictures)), FAST)
        assert not verify_secret(stored, picture_secret(_one_per_category()), FAST)
        assert all(picture.id not in stored for picture in new.pictures)


@pytest.mark.parametrize(
    ("credential", "password", "message"),
    [
        (CredentialType.WORD, "kat48", "a listed word and digits"),
        (CredentialType.WORD, "wachtwoord12", "a listed word and digits"),
        (CredentialType.PICTURE, "dieren-kat", "not a picture password"),
        (CredentialType.TEMPORARY, "kort", "8 to 60 printable ASCII characters"),
        (CredentialType.OWN, "te kort", "at least 12 characters"),
        (CredentialType.OWN, None, "at least 12 characters"),
    ],
)
def test_given_passwords_must_have_the_credentials_form(credential, password, message):
    with pytest.raises(CredentialError, match=message):
        new_credential(credential, password)


def test_given_word_and_picture_passwords_are_kept_for_the_demo():
    assert new_credential(CredentialType.WORD, "boom47").secret == "boom47"
    secret = picture_secret(_one_per_category())
    made = new_credential(CredentialType.PICTURE, secret)
    assert made.secret == secret and [p.id for p in made.pictures] == _one_per_category()

"""Argon2id hashing with the configured parameters, and generated secrets."""

from __future__ import annotations

import pytest

from idp import passwords
from idp.passwords import (
    READABLE_ALPHABET,
    Argon2Parameters,
    current_parameters,
    hash_secret,
    needs_rehash,
    random_secret,
    verify_secret,
)

OTHER = Argon2Parameters(time_cost=2, memory_cost=128, parallelism=1)


def test_hash_is_argon2id_with_the_configured_parameters(app, settings):
    configured = settings["passwords"]
    hashed = hash_secret("geheim123")
    expected = (
        f"$argon2id$v=19$m={configured['argon2_memory_cost']},"
        f"t={configured['argon2_time_cost']},p={configured['argon2_parallelism']}$"
    )
    assert hashed.startswith(expected)
    assert "geheim123" not in hashed


def test_explicit_parameters_override_the_configuration(app):
    assert hash_secret("geheim123", OTHER).startswith("$argon2id$v=19$m=128,t=2,p=1$")


def test_salt_makes_every_hash_different(app):
    assert hash_secret("geheim123") != hash_secret("geheim123")


def test_verify_accepts_the_secret_and_nothing_else(app):
    hashed = hash_secret("Zoë-wachtwoord")
    assert verify_secret(hashed, "Zoë-wachtwoord") is True
    assert verify_secret(hashed, "zoë-wachtwoord") is False
    assert verify_secret(hashed, "") is False


def test_verify_uses_the_parameters_stored_in_the_hash(app):
    assert verify_secret(hash_secret("geheim123", OTHER), "geheim123") is True


@pytest.mark.parametrize("broken", ["", "plain text", "$argon2id$v=19$garbage"])
def test_verify_rejects_a_broken_hash(app, broken):
    assert verify_secret(broken, "plain text") is False


def test_unknown_user_is_verified_against_a_dummy_hash(app, monkeypatch):
    seen = []
    real = passwords._verify

    def spy(password_hash, text, parameters):
        seen.append(password_hash)
        return real(password_hash, text, parameters)

    monkeypatch.setattr(passwords, "_verify", spy)
    assert verify_secret(None, "anything") is False
    assert verify_secret(None, "something else") is False
    # One Argon2 verification with the configured parameters, against the same dummy.
    assert len(seen) == 2 and seen[0] == seen[1]
    params = current_parameters()
    assert seen[0].startswith(f"$argon2id$v=19$m={params.memory_cost},t={params.time_cost},")


def test_needs_rehash_when_parameters_change(app):
    assert needs_rehash(hash_secret("geheim123")) is False
    assert needs_rehash(hash_secret("geheim123", OTHER)) is True
    assert needs_rehash("not a hash") is True


def test_random_secret_uses_only_the_readable_alphabet():
    drawn = "".join(random_secret(8) for _ in range(200))
    assert set(drawn) <= set(READABLE_ALPHABET)
    # 1,600 draws from 30 symbols: every symbol shows up.
    assert set(drawn) == set(READABLE_ALPHABET)


def test_readable_alphabet_has_no_look_alikes():
    assert not set("0OoQ1lIij2Zz5SsBcCkKpPuUvVwWxXyY") & set(READABLE_ALPHABET)
    assert len(set(READABLE_ALPHABET)) == len(READABLE_ALPHABET) == 30

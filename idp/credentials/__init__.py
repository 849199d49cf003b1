"""Pupil credentials: which kind of account gets which password, and making them (manual, §1).

Basic accounts (primary and special needs education) get a word or a picture password
that the pupil cannot change. Advanced accounts (secondary education) get a temporary
password, replaced at the first login by an own one of at least 12 characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import AccountKind, CredentialType
from ..passwords import random_secret
from .pictures import Picture, PictureError, picture_password, picture_secret, pictures_of
from .words import is_word_password, word_password

TEMPORARY_PASSWORD_LENGTH = 8
# A temporary password chosen by an administrator is typed once by the pupil, on a school
# keyboard, from a printed card: printable ASCII only (no emoji, no look-alike letters of
# other scripts, no invisible characters), and short enough to print on the card.
TEMPORARY_PASSWORD_MAX_LENGTH = 60
_TYPEABLE = re.compile(r"[ -~]+")
OWN_PASSWORD_MIN_LENGTH = 12
CREDENTIALS_BY_KIND: dict[AccountKind, tuple[CredentialType, ...]] = {
    AccountKind.BASIC: (CredentialType.WORD, CredentialType.PICTURE),
    AccountKind.ADVANCED: (CredentialType.TEMPORARY, CredentialType.OWN),
}


class CredentialError(ValueError):
    """A password that does not have the form its credential type needs."""


@dataclass(frozen=True)
class NewCredential:
    """A new secret in plain text (shown once), and what goes with it.

    `secret` is the text to hash; for a picture password that is `picture_secret` of
    `pictures`, the 8 pictures in category order.
    """

    secret: str
    must_change: bool
    pictures: tuple[Picture, ...] = ()


def default_credential(kind: AccountKind) -> CredentialType:
    """What a new account of this kind gets when nobody chooses: word or temporary."""
    return CREDENTIALS_BY_KIND[kind][0]


def allows(kind: AccountKind, credential: CredentialType) -> bool:
    """True when an account of this kind may have this kind of password."""
    return credential in CREDENTIALS_BY_KIND[kind]


def describe_allowed(kind: AccountKind) -> str:
    """The allowed credentials in words, for error messages: "word or picture"."""
    return " or ".join(str(credential) for credential in CREDENTIALS_BY_KIND[kind])


def temporary_password() -> str:
    """Eight random characters without look-alikes, changed by the pupil at first login."""
    return random_secret(TEMPORARY_PASSWORD_LENGTH)


def new_credential(credential: CredentialType, password: str | None = None) -> NewCredential:
    """A fresh secret of this type, or `password` checked to have the type's form.

    A given password is for an own password, and for the demo, which needs reproducible
    ones; everything else is drawn with the operating system's CSPRNG.
    """
    if credential is CredentialType.WORD:
        secret = password or word_password()
        if not is_word_password(secret):
            raise CredentialError("a word password is a listed word and digits, 6 characters")
        return NewCredential(secret, must_change=False)
    if credential is CredentialType.PICTURE:
        if password is None:
            pictures = picture_password()
            return NewCredential(picture_secret(p.id for p in pictures), False, pictures)
        try:
            return NewCredential(password, must_change=False, pictures=pictures_of(password))
        except PictureError as error:
            raise CredentialError(f"not a picture password: {error}") from None
    if credential is CredentialType.TEMPORARY:
        secret = password or temporary_password()
        if not (
            TEMPORARY_PASSWORD_LENGTH <= len(secret) <= TEMPORARY_PASSWORD_MAX_LENGTH
            and _TYPEABLE.fullmatch(secret)
        ):
            raise CredentialError(
                f"a temporary password has {TEMPORARY_PASSWORD_LENGTH} to "
                f"{TEMPORARY_PASSWORD_MAX_LENGTH} printable ASCII characters"
            )
        return NewCredential(secret, must_change=True)
    if password is None or len(password) < OWN_PASSWORD_MIN_LENGTH:
        raise CredentialError(f"an own password has at least {OWN_PASSWORD_MIN_LENGTH} characters")
    return NewCredential(password, must_change=False)

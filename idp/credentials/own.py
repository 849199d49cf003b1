"""The rules for a password an advanced pupil chooses (manual, §1): at least 12 characters,
not a common or easily guessed one, not containing the pupil's name or username.

The reasons are codes; the pages turn them into words a teenager understands.
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata

MIN_LENGTH = 12
MAX_LENGTH = 200
# zxcvbn refuses longer input; the first 72 characters say enough about a password's shape.
_ANALYSED = 72
# zxcvbn's scale: 3 is "safely unguessable" (about 10^8 guesses and more, under throttling).
_MIN_SCORE = 3
_NAME_PART_MIN = 3
# Name particles are too common inside ordinary words ("vandaag", "derde") to refuse.
_PARTICLES = frozenset("van den der het ten ter von des del dos das las les los".split())
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_WORDS = re.compile(r"[a-z]+")


class Refusal(enum.StrEnum):
    """Why a chosen password is refused."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    COMMON = "common"
    CONTAINS_NAME = "contains_name"
    MISMATCH = "mismatch"
    UNCHANGED = "unchanged"


class OwnPasswordError(ValueError):
    """A chosen password that breaks a rule; `reason` says which."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(f"password refused: {reason}")
        self.reason = reason


@functools.cache
def _common_passwords() -> frozenset[str]:
    # zxcvbn's list of the 30,000 most used passwords from real leaks. Imported on first
    # use: its word lists take about 12 MiB, in every worker, and few requests need them.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _folded(text: str) -> str:
    """Lower case without accents: "Noëlla" -> "noella"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _name_parts(names: tuple[str, ...]) -> set[str]:
    parts: set[str] = set()
    for name in names:
        words = _WORDS.findall(_folded(name))
        # "Van den Broeck" is refused as "broeck" and as "vandenbroeck".
        parts.update(w for w in (*words, "".join(words)) if len(w) >= _NAME_PART_MIN)
    return parts - _PARTICLES


def is_common(password: str) -> bool:
    """On the list of common passwords, also with digits and symbols around it, or too easy
    to guess by zxcvbn's estimate (repeats, sequences, keyboard rows, dictionary words)."""
    lowered = password.casefold()
    listed = _common_passwords()
    if lowered in listed or _EDGES.sub("", lowered) in listed:
        return True
    from zxcvbn import zxcvbn  # on first use, as above

    return int(zxcvbn(password[:_ANALYSED])["score"]) < _MIN_SCORE


def check_own_password(
    password: str,
    confirmation: str,
    *,
    username: str,
    names: tuple[str, ...] = (),
    current: str | None = None,
) -> str:
    """Return the password when it may be used; else raise OwnPasswordError with the reason.

    `names` are the pupil's first and last name; `current` the password being replaced.
    """
    if len(password) < MIN_LENGTH:
        raise OwnPasswordError(Refusal.TOO_SHORT)
    if len(password) > MAX_LENGTH:
        raise OwnPasswordError(Refusal.TOO_LONG)
    if password != confirmation:
        raise OwnPasswordError(Refusal.MISMATCH)
    if current is not None and password == current:
        raise OwnPasswordError(Refusal.UNCHANGED)
    folded = _folded(password)
    parts = _name_parts((*names, *username.split(".")))
    if _folded(username) in folded or any(part in folded for part in parts):
        raise OwnPasswordError(Refusal.CONTAINS_NAME)
    if is_common(password):
        raise OwnPasswordError(Refusal.COMMON)
    return password

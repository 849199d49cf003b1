"""Dutch is the default language: every message must be translated and compiled."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

CATALOGS = Path(__file__).parent.parent / "idp" / "translations"


def _po():
    with (CATALOGS / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale="nl")


def test_every_message_has_a_dutch_translation():
    # A plural message's string is a tuple: every form must be filled in.
    untranslated = [m.id for m in _po() if m.id and not all(_forms(m.string))]
    fuzzy = [m.id for m in _po() if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def _forms(value):
    return value if isinstance(value, tuple) else (value,)


def _plain(value):
    # Plural messages: read_mo gives lists where read_po gives tuples.
    return tuple(value) if isinstance(value, list | tuple) else value


def test_compiled_catalog_matches_the_source():
    with (CATALOGS / "nl" / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        compiled = {_plain(m.id): _plain(m.string) for m in read_mo(handle) if m.id}
    source = {_plain(m.id): _plain(m.string) for m in _po() if m.id}
    assert compiled == source, "run: pybabel compile -d idp/translations"


def test_placeholders_survive_translation():
    for message in _po():
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for original in ids:
            for name in _placeholders(original):
                assert any(name in s for s in strings), (original, name)


def _placeholders(text: str) -> list[str]:
    return re.findall(r"%\(\w+\)s", text)

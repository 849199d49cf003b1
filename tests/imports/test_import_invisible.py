"""Characters that show nothing, or turn the text around, have no place in a name: the
import refuses them as a problem of their line, and keeps every name a person can read."""

from __future__ import annotations

import unicodedata

import pytest
from flask_babel import force_locale

from idp.services.imports import fields, import_schools

from .import_helpers import SCHOOL_HEADER, codes, persons, pupil, write_csv, write_xlsx

RLO, LRI, PDI = "\u202e", "\u2066", "\u2069"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (f"Zoë{RLO}evil", "reversing_character"),  # shows as "Zoëlive"
        (f"{LRI}Lotte{PDI}", "reversing_character"),
        ("Lotte\u200f", "reversing_character"),  # RIGHT-TO-LEFT MARK
        ("Lotte\u200e", "reversing_character"),  # LEFT-TO-RIGHT MARK
        ("Lo\u200btte", "invisible_character"),  # ZERO WIDTH SPACE
        ("Lo\u00adtte", "invisible_character"),  # SOFT HYPHEN
        ("Lot\ufeffte", "invisible_character"),  # a byte order mark inside
        ("Lot\u2060te", "invisible_character"),  # WORD JOINER
        ("Lotte\u200dx", "invisible_character"),  # a joiner in Latin text does nothing
        ("Lotte\u200c", "invisible_character"),
        ("\u3164", "invisible_character"),  # HANGUL FILLER: a name that looks empty
        ("Lotte\U000e0041", "invisible_character"),  # TAG LATIN CAPITAL LETTER A
        ("Lot\tte", "invisible_character"),
        ("Lotte\nPeeters", "invisible_character"),
        ("Lotte\u2028Peeters", "invisible_character"),  # LINE SEPARATOR
    ],
)
def test_a_first_name_with_an_invisible_character_is_a_problem_of_its_line(
    tmp_path, school, run, session, value, code
):
    report = run([pupil(school, "1"), pupil(school, "2", voornaam=value)], skip_invalid=True)
    assert codes(report) == [(3, "voornaam", code)]
    assert [p.first_name for p in persons(session)] == ["Lotte"]


@pytest.mark.parametrize(
    ("column", "value"), [("naam", "Peeters"), ("administratieve groep", "3A"), ("leerjaar", "3")]
)
def test_every_text_column_people_read_is_checked(tmp_path, school, run, column, value):
    row = pupil(school, **{column.replace(" ", "_"): value[:1] + RLO + value[1:]})
    assert codes(run([row])) == [(2, column, "reversing_character")]


def test_a_stamnummer_is_an_identifier_kept_as_exported(tmp_path, school, run, session):
    # Never shown to pupils nor released to apps; refusing it would orphan its pupil.
    report = run([pupil(school, f"12{RLO}34")])
    assert codes(report) == [] and len(persons(session)) == 1


def test_the_workbook_path_is_checked_too(tmp_path, school, run):
    path = write_xlsx(tmp_path / "l.xlsx", [pupil(school, naam=f"Peeters{RLO}")])
    assert codes(run(path)) == [(2, "naam", "reversing_character")]


def test_the_message_names_the_column_and_the_character(tmp_path, school, run):
    report = run([pupil(school, voornaam=f"Zoë{RLO}evil")])
    with force_locale("nl"):
        dutch = report.problems[0].render()
    with force_locale("en"):
        english = report.problems[0].render()
    assert dutch.startswith("Regel 2, kolom 'voornaam': ")
    assert "onzichtbaar teken dat de tekst omdraait" in dutch
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in dutch
    assert english.startswith("Line 2, column 'voornaam': ")
    assert "invisible character that turns the text around" in english
    # The message itself holds no invisible character: it reads the same everywhere.
    assert fields.invisible_character(dutch) is None
    assert fields.invisible_character(english) is None


LEGITIMATE = [
    "Zoë",
    "Zoe\u0308",  # the same, decomposed (stored composed)
    "D'Hondt",
    "D’Hondt",
    "Van den Broeck",
    "Anne-Sophie",
    "Nguyễn Thị Ánh",
    "Çelik",
    "Gül",
    "İlkay",
    "Ağaoğlu",
    "Łukasz",
    "Ødegaard",
    "Ιωάννης",
    "Мария",
    "محمد",
    "علی\u200cرضا",  # Persian: a zero-width non-joiner between two Arabic letters
    "क्\u200dष",  # Devanagari: a zero-width joiner after the virama
    "Jean\u00a0Marie",  # a no-break space pasted from a word processor: a visible space
]


@pytest.mark.parametrize("name", LEGITIMATE)
def test_names_a_person_can_read_are_kept(tmp_path, school, run, session, name):
    report = run([pupil(school, voornaam=name, naam=name)])
    assert codes(report) == []
    (person,) = persons(session)
    stored = unicodedata.normalize("NFC", name)
    assert (person.first_name, person.last_name) == (stored, stored)


def test_quoted_values_show_invisible_characters_by_their_code():
    assert fields.shown(f"gewoon{RLO} lager") == "gewoon[U+202E] lager"
    assert fields.shown("Zoë") == "Zoë"


def test_a_school_name_with_an_invisible_character_is_refused(session, tmp_path):
    rows = [{"instellingsnummer": "1", "naam": f"Basisschool{RLO} Zon", "provincie": "Antwerpen"}]
    path = write_csv(tmp_path / "scholen.csv", rows, header=SCHOOL_HEADER)
    report = import_schools(session, path, actor="test")
    assert codes(report) == [(2, "naam", "reversing_character")]

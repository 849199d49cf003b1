"""The enrollment row parser: its direct path must agree with the general one on every row."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from idp.services.imports.parser import EnrollmentParser
from idp.services.imports.rows import ENROLLMENT_COLUMNS
from idp.services.tabular import Row

from .import_helpers import TODAY, national_number

NUMBER = national_number(dt.date(2012, 3, 5), 7)
SCHOOLS = {"123456": 1, "7": 2, "ab12": 3}
# Per column: plain values and every kind of value the general path treats specially.
CANDIDATES: list[list[object]] = [
    ["123456", " 123456 ", "0123456", "7", "AB12", "999", "", "  ", 123456, 7.0, None],
    ["1", " 42 ", "x" * 20, "x" * 21, "", "A\u0308", "2024/3 b", 1001, None, "1\u202e2", "1\t2"],
    ["Peeters", "Çelik", "C\u0327elik", "x" * 100, "x" * 101, "", " Van den Broeck "]
    + ["Van\tDam", "Peeters\u200f", "\u3164", "Jean\u00a0Marie", "علی\u200cرضا", "Lo\u200btte"],
    ["Lotte", "Noëlla", "Zoe\u0308", "y" * 100, "y" * 101, "", "\t", "Zoë\u202eevil", "A\x1fB"],
    [
        "05/03/2012",
        "5/3/2012",
        "05-03-2012",
        "05.03.2012",
        "2012-03-05",
        "05/03/2012 00:00",
        " 05/03/2012",
        "31/02/2012",
        "05/03/2099",
        "01/01/1899",
        "0a/03/2012",
        "05/03/2O12",
        "\uff10\uff15/03/2012",
        "\u0660\u0665/03/2012",
        "",
        dt.date(2012, 3, 5),
        dt.datetime(2012, 3, 5),
        None,
    ],
    ["", NUMBER, f"{NUMBER[:2]}.{NUMBER[2:4]}.{NUMBER[4:6]}-{NUMBER[6:9]}.{NUMBER[9:]}"]
    + ["12030500199", "123", int(NUMBER), None],
    ["3A", "", "z" * 40, "z" * 41, 3, None, "3\u2066A", "3\nA"],
    ["3", "", "g" * 20, "g" * 21, 3.0],
    ["gewoon lager", "GEWOON LAGER", " gewoon_lager ", "gewoon_lager", "ander", "?", "", None],
]
PLAIN = ("123456", "1001", "Peeters", "Lotte", "05/03/2012", NUMBER, "3A", "3", "gewoon lager")


@pytest.fixture
def parser(secrets):
    positions = {column.name: index for index, column in enumerate(ENROLLMENT_COLUMNS)}
    return EnrollmentParser(positions, SCHOOLS, secrets, TODAY)


def test_a_plain_row_takes_the_direct_path(parser):
    row = Row(2, PLAIN)
    direct = parser._parse_plain(row)
    assert direct is not None and direct.pupil is not None
    assert direct == parser.parse_generally(row)
    assert parser._parse_plain(Row(3, PLAIN[:4] + ("5/3/2012",) + PLAIN[5:])) is None


def test_both_paths_agree_on_every_single_unusual_value(parser):
    for position, values in enumerate(CANDIDATES):
        for value in values:
            row = Row(2, PLAIN[:position] + (value,) + PLAIN[position + 1 :])
            assert parser.parse(row) == parser.parse_generally(row), (position, value)


def test_both_paths_agree_on_random_rows(parser):
    rng = random.Random(2026)  # noqa: S311 (reproducible test data)
    for line in range(2, 3000):
        values = tuple(rng.choice(column) for column in CANDIDATES)
        if line % 7 == 0:
            values = values[: rng.randrange(len(values))]  # an exporter left off empty cells
        row = Row(line, values)
        assert parser.parse(row) == parser.parse_generally(row), values


def test_without_the_national_number_column(secrets):
    names = [c.name for c in ENROLLMENT_COLUMNS if c.name != "rijksregisternummer"]
    parser = EnrollmentParser({name: i for i, name in enumerate(names)}, SCHOOLS, secrets, TODAY)
    row = Row(2, tuple(value for i, value in enumerate(PLAIN) if i != 5))
    parsed = parser.parse(row)
    assert parsed == parser.parse_generally(row)
    assert parsed.pupil is not None and parsed.nn_hash is None

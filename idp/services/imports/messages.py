"""The import's messages for school administrators, rendered in the current language.

Problems carry a code and parameters; the text is made only when a report is shown, so
the same report can be rendered in Dutch (the default) or English.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

Params = Mapping[str, Any]

_MESSAGES: dict[str, Callable[[Params], str]] = {
    # The file as a whole.
    "unsupported_extension": lambda p: _(
        "Files of type %(extension)s cannot be imported. "
        "Save the file as CSV or as an Excel workbook (.xlsx).",
        **p,
    ),
    "missing_file": lambda p: _(
        "The file %(file)s does not exist. Check its name and folder.", **p
    ),
    "unreadable_file": lambda p: _(
        "The file cannot be read. Save it as CSV (UTF-8) or as an Excel workbook (.xlsx) "
        "and try again."
    ),
    "utf16_file": lambda p: _(
        "The file is saved as Unicode text (UTF-16). Save it as 'CSV UTF-8' and try again."
    ),
    "bad_encoding": lambda p: _(
        "This line contains characters that cannot be read. "
        "Save the file as 'CSV UTF-8' and try again."
    ),
    "empty_file": lambda p: _("The file is empty."),
    "no_rows": lambda p: _("The file contains column names but no rows."),
    "missing_column": lambda p: _(
        "The required column '%(column)s' is missing. "
        "The first line must contain the column names.",
        **p,
    ),
    # One cell.
    "missing_value": lambda p: _("This value is required but the cell is empty."),
    "too_long": lambda p: _("This value is too long: at most %(max)s characters are allowed.", **p),
    "reversing_character": lambda p: _(
        "This value contains an invisible character that turns the text around "
        "(%(character)s), so that it would show differently from what it says. "
        "Remove it in the school's administration and export the file again.",
        **p,
    ),
    "invisible_character": lambda p: _(
        "This value contains an invisible character (%(character)s), such as a line break "
        "or a zero-width space. Remove it in the school's administration and export the file "
        "again.",
        **p,
    ),
    "unknown_school": lambda p: _(
        "School %(value)s is not known in LeerID. "
        "Check the instellingsnummer or import the school register first.",
        **p,
    ),
    "bad_date": lambda p: _("'%(value)s' is not a valid date. Use the form dd/mm/yyyy.", **p),
    "future_date": lambda p: _("The birth date %(value)s lies in the future.", **p),
    "date_before_1900": lambda p: _("The birth date %(value)s lies before 1900.", **p),
    "unknown_education_type": lambda p: _(
        "'%(value)s' is not a known education type. Use one of: %(accepted)s.", **p
    ),
    "unknown_province": lambda p: _(
        "'%(value)s' is not a province. Use one of: %(accepted)s.", **p
    ),
    "national_number_length": lambda p: _(
        "This is not a valid national register number: it must have 11 digits."
    ),
    "national_number_checksum": lambda p: _(
        "This national register number is not valid: the check digits (the last two digits) "
        "do not match. Check for a typing error."
    ),
    "national_number_date": lambda p: _(
        "This national register number is not valid: it does not contain a possible birth date."
    ),
    # One row against another.
    "duplicate_stamnummer": lambda p: _(
        "Stamnummer %(value)s already appears on line %(earlier)s for the same school.", **p
    ),
    "duplicate_national_number": lambda p: _(
        "The same national register number already appears on line %(earlier)s "
        "for the same school.",
        **p,
    ),
    "stamnummer_conflict": lambda p: _(
        "This national register number belongs to the pupil with stamnummer %(stamnummer)s, "
        "who is already on line %(earlier)s. A pupil can appear only once per school.",
        **p,
    ),
    "repeated_stamnummer": lambda p: _(
        "Stamnummer %(value)s appears again on line %(later)s for the same school.", **p
    ),
    "repeated_national_number": lambda p: _(
        "The same national register number appears again on line %(later)s for the same school.",
        **p,
    ),
    "duplicate_school": lambda p: _("School %(value)s already appears on line %(earlier)s.", **p),
    # The file against the database.
    "ends_many": lambda p: _(
        "School %(school)s: %(count)s of its %(active)s enrolled pupils are missing from the "
        "file and would be unenrolled. Is the file the school's complete list? Then confirm "
        "that it is, and import it again.",
        **p,
    ),
    # Notices: what the import deliberately did not do.
    "school_not_ended": lambda p: _(
        "No pupils of school %(school)s were unenrolled, because line %(line)s has no stamnummer.",
        **p,
    ),
    "nothing_ended": lambda p: _(
        "No pupils were unenrolled, because line %(line)s has neither a known school "
        "nor a stamnummer.",
        **p,
    ),
}

# Messages that name their column themselves need no "column '...'" prefix.
NAMES_OWN_COLUMN = frozenset({"missing_column"})


def message(code: str, params: Params) -> str:
    """The text of one problem or notice in the current language."""
    return _MESSAGES[code](params)


def located(line: int | None, column: str | None, text: str) -> str:
    """Prefix a message with where it applies, as a spreadsheet user would look it up."""
    if line is not None and column:
        return _(
            "Line %(line)s, column '%(column)s': %(message)s",
            line=line,
            column=column,
            message=text,
        )
    if line is not None:
        return _("Line %(line)s: %(message)s", line=line, message=text)
    return text

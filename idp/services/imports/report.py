"""What an import did: counts, problems and notices, as text for the CLI or as JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from .messages import NAMES_OWN_COLUMN, Params, located, message

DEFAULT_MAX_PROBLEMS = 10_000
CHANGE_KINDS = ("created", "updated", "unchanged", "ended")


@dataclass(frozen=True)
class Problem:
    """One problem (or notice): where it is, a stable code, and the message's parameters."""

    line: int | None
    column: str | None
    code: str
    params: Params = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The message in the current language, without the location."""
        return message(self.code, self.params)

    def render(self) -> str:
        """The message with its line and column, as the administrator reads it."""
        column = None if self.code in NAMES_OWN_COLUMN else self.column
        return located(self.line, column, self.message)

    def to_dict(self) -> dict[str, Any]:
        """The problem as JSON-ready data."""
        return {
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "params": dict(self.params),
            "message": self.render(),
        }


@dataclass
class ImportReport:
    """The outcome of one import: counts per kind, problems, notices and what was written."""

    kind: str
    file: str
    dry_run: bool = False
    skip_invalid: bool = False
    rows: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANGE_KINDS, 0))
    invalid: int = 0
    problems: list[Problem] = field(default_factory=list)
    problems_not_listed: int = 0
    notices: list[Problem] = field(default_factory=list)
    refused: bool = False
    written: bool = False
    max_problems: int = DEFAULT_MAX_PROBLEMS

    @property
    def changed(self) -> bool:
        """True when the import made (or, in a dry run, would make) any change."""
        return any(self.counts[kind] for kind in ("created", "updated", "ended"))

    def add(self, problem: Problem) -> None:
        """Record a problem; beyond max_problems only the number is kept, to bound memory."""
        if len(self.problems) < self.max_problems:
            self.problems.append(problem)
        else:
            self.problems_not_listed += 1

    def refuse(self, problem: Problem) -> None:
        """Record a problem that stops the whole file from being imported."""
        self.add(problem)
        self.refused = True

    def count(self, kind: str, number: int = 1) -> None:
        """Add to the number of rows (or enrollments) of one kind."""
        self.counts[kind] += number

    def to_dict(self) -> dict[str, Any]:
        """The report as one JSON-ready object (what `--json` prints)."""
        return {
            "kind": self.kind,
            "file": self.file,
            "dry_run": self.dry_run,
            "skip_invalid": self.skip_invalid,
            "refused": self.refused,
            "written": self.written,
            "rows": self.rows,
            "counts": {**self.counts, "invalid": self.invalid},
            "problems": [problem.to_dict() for problem in self.problems],
            "problems_not_listed": self.problems_not_listed,
            "notices": [notice.to_dict() for notice in self.notices],
            "summary": self.summary(),
        }

    def summary(self) -> str:
        """One paragraph: what was read and what happened."""
        return " ".join(self._summary_lines())

    def _summary_lines(self) -> list[str]:
        lines = [_("Rows read from %(file)s: %(rows)s.", file=self.file or "-", rows=self.rows)]
        if self.refused:
            if self.dry_run:
                lines.append(
                    _("Dry run: the import would be refused because of the problems below.")
                )
            else:
                lines.append(
                    _("Nothing was imported: fix the problems below and import the file again.")
                )
            return lines
        lines.append(self._counts_text())
        if self.dry_run:
            lines.append(_("Dry run: nothing was changed."))
        elif not self.changed:
            lines.append(_("Nothing needed to change."))
        elif self.invalid:
            lines.append(_("The import is done; the invalid rows below were skipped."))
        else:
            lines.append(_("The import is done."))
        return lines

    def _counts_text(self) -> str:
        values = {**self.counts, "invalid": self.invalid}
        if self.kind == "schools":
            return _(
                "New: %(created)s, updated: %(updated)s, unchanged: %(unchanged)s, "
                "invalid: %(invalid)s.",
                **values,
            )
        return _(
            "New: %(created)s, updated: %(updated)s, unchanged: %(unchanged)s, "
            "unenrolled: %(ended)s, invalid: %(invalid)s.",
            **values,
        )

    def render(self) -> str:
        """The full text for the CLI: the summary, then every problem and notice."""
        lines = self._summary_lines()
        if self.problems:
            lines.append(
                _("Problems (%(count)s):", count=len(self.problems) + self.problems_not_listed)
            )
            lines.extend(f"- {problem.render()}" for problem in self.problems)
        if self.problems_not_listed:
            lines.append(
                _("%(count)s more problems are not listed.", count=self.problems_not_listed)
            )
        if self.notices:
            lines.append(_("Notes:"))
            lines.extend(f"- {notice.render()}" for notice in self.notices)
        return "\n".join(lines)

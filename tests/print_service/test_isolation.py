"""print_service is a library of its own: no Flask, no SQLAlchemy, nothing of idp."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, sys
import print_service
from tests.print_service.cards import mixed_cards, DAY
print_service.bundle_zip(mixed_cards(2), "012345", DAY)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {"idp", "flask", "sqlalchemy"})
print(json.dumps(loaded))
"""


def test_importing_and_using_print_service_loads_no_idp_flask_or_sqlalchemy():
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True,
        timeout=120,
    )  # fmt: skip
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_the_probe_would_see_them():
    probe = (
        "import json, sys, flask; print(json.dumps(sorted(m for m in sys.modules if m == 'flask')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
        timeout=120,
    )  # fmt: skip
    assert json.loads(result.stdout) == ["flask"]

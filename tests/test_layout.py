"""The project's layout (issue 10): the Schoolloket is the top-level `admin` package, a
blueprint that `idp.create_app` registers; nothing else in `idp` imports `admin`.
(print_service's independence is tested in tests/print_service/test_isolation.py.)"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IDP = ROOT / "idp"


def _is_admin(module: str) -> bool:
    return module == "admin" or module.startswith("admin.")


def _package_of(path: Path) -> list[str]:
    """The package a module's relative imports start from, as name parts."""
    # idp/services/x.py: idp.services; idp/services/__init__.py: idp.services too.
    return list(path.relative_to(ROOT).with_suffix("").parts)[:-1]


def admin_imports(source: str, path: Path) -> list[tuple[int, str, list[str]]]:
    """Every import of the top-level `admin` package in a module: (line, module, names).
    Also `importlib.import_module("admin...")` and `__import__("admin...")`, and a relative
    import that would climb out of the package."""
    found: list[tuple[int, str, list[str]]] = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name, []) for a in node.names if _is_admin(a.name)]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                module = node.module or ""
            else:
                package = _package_of(path)
                kept = len(package) - (node.level - 1)
                assert kept >= 1, f"{path}:{node.lineno} climbs out of its package"
                module = ".".join([*package[:kept], *([node.module] if node.module else [])])
            if _is_admin(module):
                found.append((node.lineno, module, [a.name for a in node.names]))
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else None
            name = node.func.id if isinstance(node.func, ast.Name) else name
            if name in ("import_module", "__import__") and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    if _is_admin(first.value):
                        found.append((node.lineno, first.value, []))
    return found


def test_the_scan_finds_every_form_of_import():
    sample = IDP / "services" / "example.py"
    source = "\n".join(
        [
            "import admin",
            "import admin.state as s",
            "from admin import blueprint",
            "from admin.pupils import pupil",
            "import importlib",
            "importlib.import_module('admin.accounts')",
            "__import__('admin')",
            "from .. import admin",  # idp.admin: not the Schoolloket
            "from ..models.admin import AdminUser",
            "import administration",
            "from idp.services import admins",
        ]
    )
    assert admin_imports(source, sample) == [
        (1, "admin", []),
        (2, "admin.state", []),
        (3, "admin", ["blueprint"]),
        (4, "admin.pupils", ["pupil"]),
        (6, "admin.accounts", []),
        (7, "admin", []),
    ]


def test_only_create_app_imports_admin_to_register_its_blueprint():
    modules = sorted(IDP.rglob("*.py"))
    assert len(modules) > 50
    found = {
        str(path.relative_to(ROOT)): hits
        for path in modules
        if (hits := admin_imports(path.read_text(encoding="utf-8"), path))
    }
    assert list(found) == ["idp/__init__.py"], found
    ((line, module, names),) = found["idp/__init__.py"]
    assert (module, names) == ("admin", ["blueprint"])
    # Inside create_app, and what it imports is what it registers.
    tree = ast.parse((IDP / "__init__.py").read_text(encoding="utf-8"))
    (create_app,) = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name == "create_app"
    ]
    assert create_app.lineno <= line <= (create_app.end_lineno or 0)
    (imported,) = [
        node
        for node in ast.walk(create_app)
        if isinstance(node, ast.ImportFrom) and node.lineno == line
    ]
    bound = imported.names[0].asname or imported.names[0].name
    registered = [
        node
        for node in ast.walk(create_app)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "register_blueprint"
        and any(isinstance(arg, ast.Name) and arg.id == bound for arg in node.args)
    ]
    assert len(registered) == 1


PROBE = """
import importlib, json, pkgutil, sys
import idp
for module in pkgutil.walk_packages(idp.__path__, "idp."):
    # The migrations run against a database, __main__ runs the command line.
    if not module.name.startswith("idp.migrations") and not module.name.endswith("__main__"):
        importlib.import_module(module.name)
loaded = sorted(sys.modules)
admin = [m for m in loaded if m == "admin" or m.startswith("admin.")]
print(json.dumps({"admin": admin, "idp": sum(m.startswith("idp.") for m in loaded)}))
"""


def test_importing_every_idp_module_loads_no_admin():
    """At run time too: only create_app's call brings the Schoolloket in."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["admin"] == [] and loaded["idp"] > 50


def test_the_probe_would_see_admin_once_an_app_is_made(tmp_path):
    settings = {"database": {"url": "sqlite://"}, "keys": {"directory": str(tmp_path)}}
    made = (
        "import json, sys, idp\n"
        f"idp.create_app(json.loads({json.dumps(settings)!r}))\n"
        "print(json.dumps('admin' in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", made], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) is True

"""`leerid init` creates or upgrades the schema and creates missing keys, and only once."""

from __future__ import annotations

import json
import stat

from sqlalchemy import create_engine, inspect

from idp.keystore import load_secrets


def test_init_creates_schema_and_keys_then_changes_nothing(leerid, monkeypatch, tmp_path):
    database = tmp_path / "fresh" / "leerid.db"
    keys = tmp_path / "fresh-keys"
    monkeypatch.setenv("LEERID_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("LEERID_KEYS_DIRECTORY", str(keys))

    first = leerid("init", "--json")
    assert first.exit_code == 0, first.output
    created = json.loads(first.output)["keys_created"]
    assert str(keys / "secrets.json") in created
    signing = sorted(path.rsplit("-", 2)[1] for path in created if "/signing/" in path)
    assert signing == ["es256", "rs256"]
    assert "person" in inspect(create_engine(f"sqlite:///{database}")).get_table_names()
    assert stat.S_IMODE((keys / "secrets.json").stat().st_mode) == 0o600
    load_secrets(keys)

    second = leerid("init")
    assert second.exit_code == 0
    assert "Database schema up to date" in second.output
    assert "Created" not in second.output


def test_init_upgrades_the_test_database_in_place(leerid):
    result = leerid("init", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["keys_created"] == []


def test_serve_without_keys_explains_what_to_do(leerid, monkeypatch, tmp_path):
    monkeypatch.setenv("LEERID_KEYS_DIRECTORY", str(tmp_path / "no-keys"))
    result = leerid("serve")
    assert result.exit_code == 1
    assert "run `leerid init` first" in result.output

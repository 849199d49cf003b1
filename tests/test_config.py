"""Configuration layering and its errors: each names the key at fault."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import pytest

from idp import create_app
from idp.config import SCHEMA, ConfigError, load_settings

EXAMPLE = Path(__file__).parent.parent / "config.example.toml"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in list(os.environ):
        if name.startswith("LEERID_"):
            monkeypatch.delenv(name)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "leerid.toml"
    path.write_text(text)
    return path


def test_defaults_give_the_embedded_setup(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings["server"]["environment"] == "development"
    assert settings["database"]["url"] == f"sqlite:///{tmp_path / 'instance' / 'leerid.db'}"
    assert settings["keys"]["directory"] == "keys"


def test_file_then_environment_then_overrides(monkeypatch, tmp_path):
    path = write(tmp_path, '[server]\nissuer = "https://file.example"\n[imports]\nbatch_size = 7\n')
    monkeypatch.setenv("LEERID_CONFIG", str(path))
    assert load_settings()["server"]["issuer"] == "https://file.example"
    assert load_settings()["imports"]["batch_size"] == 7
    monkeypatch.setenv("LEERID_SERVER_ISSUER", "https://env.example")
    monkeypatch.setenv("LEERID_IMPORTS_BATCH_SIZE", "9")
    assert load_settings()["server"]["issuer"] == "https://env.example"
    assert load_settings()["imports"]["batch_size"] == 9
    settings = load_settings({"server": {"issuer": "https://override.example"}})
    assert settings["server"]["issuer"] == "https://override.example"


def test_settings_are_read_only():
    settings = load_settings()
    with pytest.raises(TypeError):
        settings["server"]["issuer"] = "https://evil.example"  # type: ignore[index]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[nope]\nx = 1\n", "unknown configuration section [nope]"),
        ("[server]\nisuer = 'x'\n", "unknown key server.isuer"),
        ("[imports]\nbatch_size = 'many'\n", "imports.batch_size: expected int, got str 'many'"),
        ("[imports]\nbatch_size = true\n", "imports.batch_size: expected int, got bool True"),
        ("[imports]\nbatch_size = 0\n", "imports.batch_size: must be at least 1, got 0"),
        ("[database]\necho = 'yes'\n", "database.echo: expected bool, got str 'yes'"),
        ("[server]\nenvironment = 'prod'\n", "server.environment: must be one of development"),
        ("server = 3\n", "[server] must be a table of keys"),
        ("[server\n", "is not valid TOML"),
    ],
)
def test_file_errors_name_the_key(monkeypatch, tmp_path, toml, message):
    monkeypatch.setenv("LEERID_CONFIG", str(write(tmp_path, toml)))
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LEERID_SERVER_ISUER", "x", "LEERID_SERVER_ISUER: unknown key server.isuer"),
        ("LEERID_NOPE_X", "x", "LEERID_NOPE_X: unknown configuration section"),
        ("LEERID_IMPORTS_BATCH_SIZE", "lots", "imports.batch_size: expected a whole number"),
        ("LEERID_DATABASE_ECHO", "maybe", "database.echo: expected true or false"),
        ("LEERID_PASSWORDS_ARGON2_TIME_COST", "0", "argon2_time_cost: must be at least 1"),
    ],
)
def test_environment_errors_name_the_key(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings()


@pytest.mark.parametrize(("text", "expected"), [("true", True), ("1", True), ("off", False)])
def test_environment_booleans(monkeypatch, text, expected):
    monkeypatch.setenv("LEERID_DATABASE_ECHO", text)
    assert load_settings()["database"]["echo"] is expected


def test_missing_config_file_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("LEERID_CONFIG", str(tmp_path / "absent.toml"))
    with pytest.raises(ConfigError, match="absent.toml, which does not exist"):
        load_settings()


def test_unknown_override_key_is_an_error():
    with pytest.raises(ConfigError, match="overrides: unknown key database.uri"):
        load_settings({"database": {"uri": "sqlite://"}})


def test_production_requires_issuer_and_database(monkeypatch):
    monkeypatch.setenv("LEERID_SERVER_ENVIRONMENT", "production")
    with pytest.raises(ConfigError, match="server.issuer is required .* LEERID_SERVER_ISSUER"):
        load_settings()
    monkeypatch.setenv("LEERID_SERVER_ISSUER", "https://leerid.example")
    with pytest.raises(ConfigError, match="database.url is required"):
        load_settings()
    monkeypatch.setenv("LEERID_DATABASE_URL", "postgresql+psycopg://db/leerid")
    # Throttling counters must be shared by every instance: in production that is Redis.
    with pytest.raises(ConfigError, match="throttle.redis_url is required"):
        load_settings()
    monkeypatch.setenv("LEERID_THROTTLE_REDIS_URL", "redis://cache:6379/0")
    assert load_settings()["server"]["issuer"] == "https://leerid.example"


def test_production_refuses_a_plain_http_issuer(monkeypatch):
    monkeypatch.setenv("LEERID_SERVER_ENVIRONMENT", "production")
    monkeypatch.setenv("LEERID_SERVER_ISSUER", "http://leerid.example")
    monkeypatch.setenv("LEERID_DATABASE_URL", "postgresql+psycopg://db/leerid")
    monkeypatch.setenv("LEERID_THROTTLE_REDIS_URL", "redis://cache:6379/0")
    with pytest.raises(ConfigError, match="must be an https:// URL"):
        load_settings()


def test_example_file_documents_every_key_with_its_default(monkeypatch):
    example = tomllib.loads(EXAMPLE.read_text())
    assert {s: set(keys) for s, keys in example.items()} == {
        s: set(keys) for s, keys in SCHEMA.items()
    }
    for section, keys in SCHEMA.items():
        for name, key in keys.items():
            assert example[section][name] == key.default, f"{section}.{name}"
    lines = EXAMPLE.read_text().splitlines()
    for above, line in zip(lines, lines[1:], strict=False):
        if "=" in line and not line.startswith("#"):
            assert above.startswith("#"), f"no comment above {line!r}"
    monkeypatch.setenv("LEERID_CONFIG", str(EXAMPLE))
    load_settings()


def test_cli_reports_configuration_errors_in_one_line(leerid, monkeypatch):
    monkeypatch.setenv("LEERID_IMPORTS_BATCH_SIZE", "many")
    result = leerid("init")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: configuration: imports.batch_size: expected a whole number, got 'many'"
    )


def test_an_issuer_too_long_for_the_printed_cards_is_refused_at_start(settings):
    # Cards print their URL (issuer, /k/, the token) whole: at most 100 characters.
    fits = "https://" + "s" * 63 + ".be"  # 74 characters
    create_app({**settings, "server": {**settings["server"], "issuer": fits}})
    too_long = "https://" + "s" * 70 + ".be"  # 81 characters
    with pytest.raises(ConfigError, match="server.issuer is too long to print .* at most 78"):
        create_app({**settings, "server": {**settings["server"], "issuer": too_long}})

"""Configuration: defaults, then the TOML file named by LEERID_CONFIG, then environment
variables LEERID_<SECTION>_<KEY>, then overrides passed by code (tests, the demo).

Every key is declared once in SCHEMA with its type; unknown keys, values of the wrong type
and missing required keys are errors that name the key. The result is read-only.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

Settings = Mapping[str, Mapping[str, Any]]


class ConfigError(Exception):
    """A configuration problem, with a message that names the offending key."""


@dataclass(frozen=True)
class Key:
    """One configuration key: its type, default, and the rules that check its value."""

    type: type
    default: Any = None
    required_in_production: bool = False
    choices: tuple[str, ...] = ()
    minimum: int | None = None


SCHEMA: dict[str, dict[str, Key]] = {
    "server": {
        "environment": Key(str, "development", choices=("development", "production")),
        "issuer": Key(str, "http://127.0.0.1:5000", required_in_production=True),
        "instance_dir": Key(str, "instance"),
        "default_locale": Key(str, "nl_BE", choices=("nl_BE", "en")),
        "trusted_proxies": Key(int, 0, minimum=0),
    },
    "database": {
        "url": Key(str, "", required_in_production=True),
        "echo": Key(bool, False),
        "pool_size": Key(int, 10, minimum=1),
    },
    "keys": {
        "directory": Key(str, "keys"),
        "rotation_delay": Key(int, 86400, minimum=0),
    },
    "tokens": {
        "authorization_code_lifetime": Key(int, 60, minimum=1),
        "access_token_lifetime": Key(int, 600, minimum=1),
        "id_token_lifetime": Key(int, 600, minimum=1),
        "refresh_token_lifetime": Key(int, 30 * 86400, minimum=1),
        "sso_session_lifetime": Key(int, 8 * 3600, minimum=60),
        "sso_session_lifetime_basic": Key(int, 3600, minimum=60),
        "backchannel_logout_timeout": Key(int, 3, minimum=1),
    },
    "passwords": {
        "argon2_time_cost": Key(int, 2, minimum=1),
        "argon2_memory_cost": Key(int, 19456, minimum=8),
        "argon2_parallelism": Key(int, 1, minimum=1),
    },
    "imports": {
        "batch_size": Key(int, 2000, minimum=1),
    },
    "throttle": {
        "redis_url": Key(str, "", required_in_production=True),
        "key_prefix": Key(str, "leerid"),
        "free_failures": Key(int, 5, minimum=1),
        "first_delay": Key(int, 5, minimum=1),
        "max_delay": Key(int, 900, minimum=1),
        "forget_after": Key(int, 86400, minimum=60),
        "device_failures_per_hour": Key(int, 60, minimum=1),
        "ip_failures_per_hour": Key(int, 1000, minimum=1),
        "proven_devices_per_account": Key(int, 5, minimum=0),
        "proven_lifetime": Key(int, 7 * 86400, minimum=3600),
        "alarm_failures_per_minute": Key(int, 600, minimum=1),
        "device_lifetime": Key(int, 365 * 86400, minimum=60),
    },
    "schoolloket": {
        "idle_timeout": Key(int, 1800, minimum=60),
        "session_lifetime": Key(int, 12 * 3600, minimum=300),
        "credential_download_lifetime": Key(int, 3600, minimum=60),
    },
    "mail": {
        "smtp_host": Key(str, ""),
        "smtp_port": Key(int, 25, minimum=1),
        "smtp_username": Key(str, ""),
        "smtp_password": Key(str, ""),
        "smtp_starttls": Key(bool, False),
        "sender": Key(str, "LeerID <noreply@leerid.invalid>"),
        "confirmation_lifetime": Key(int, 86400, minimum=60),
        "reset_lifetime": Key(int, 1800, minimum=60),
    },
}

ENV_PREFIX = "LEERID_"


def load_settings(overrides: Mapping[str, Mapping[str, Any]] | None = None) -> Settings:
    """Build the read-only settings from defaults, file, environment and overrides."""
    values: dict[str, dict[str, Any]] = {
        section: {name: key.default for name, key in keys.items()}
        for section, keys in SCHEMA.items()
    }
    path = os.environ.get(ENV_PREFIX + "CONFIG")
    if path:
        _merge(values, _read_toml(Path(path)), source=path)
    _merge(values, _read_environment(os.environ), source="environment")
    if overrides:
        _merge(values, overrides, source="overrides")
    _check_production(values)
    _fill_derived(values)
    return MappingProxyType({s: MappingProxyType(v) for s, v in values.items()})


def _read_toml(path: Path) -> Mapping[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"LEERID_CONFIG names {path}, which does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from None


def _read_environment(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Pick LEERID_<SECTION>_<KEY> variables; their text is converted by the key's type."""
    found: dict[str, dict[str, Any]] = {}
    for name, text in environ.items():
        if not name.startswith(ENV_PREFIX) or name == ENV_PREFIX + "CONFIG":
            continue
        rest = name[len(ENV_PREFIX) :].lower()
        section = next((s for s in SCHEMA if rest.startswith(s + "_")), None)
        if section is None:
            raise ConfigError(f"{name}: unknown configuration section")
        key_name = rest[len(section) + 1 :]
        key = SCHEMA[section].get(key_name)
        if key is None:
            raise ConfigError(f"{name}: unknown key {section}.{key_name}")
        found.setdefault(section, {})[key_name] = _parse_text(f"{section}.{key_name}", key, text)
    return found


def _parse_text(where: str, key: Key, text: str) -> Any:
    if key.type is bool:
        lowered = text.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{where}: expected true or false, got {text!r}")
    if key.type is int:
        try:
            return int(text)
        except ValueError:
            raise ConfigError(f"{where}: expected a whole number, got {text!r}") from None
    return text


def _merge(values: dict[str, dict[str, Any]], layer: Mapping[str, Any], source: str) -> None:
    for section, keys in layer.items():
        if section not in SCHEMA:
            raise ConfigError(f"{source}: unknown configuration section [{section}]")
        if not isinstance(keys, Mapping):
            raise ConfigError(f"{source}: [{section}] must be a table of keys")
        for name, value in keys.items():
            key = SCHEMA[section].get(name)
            if key is None:
                raise ConfigError(f"{source}: unknown key {section}.{name}")
            values[section][name] = _checked(f"{section}.{name}", key, value)


def _checked(where: str, key: Key, value: Any) -> Any:
    # bool is a subclass of int: refuse true/false where a number is expected.
    if not isinstance(value, key.type) or (key.type is int and isinstance(value, bool)):
        raise ConfigError(
            f"{where}: expected {key.type.__name__}, got {type(value).__name__} {value!r}"
        )
    if key.choices and value not in key.choices:
        raise ConfigError(f"{where}: must be one of {', '.join(key.choices)}, got {value!r}")
    if key.minimum is not None and isinstance(value, int) and value < key.minimum:
        raise ConfigError(f"{where}: must be at least {key.minimum}, got {value!r}")
    return value


def _check_production(values: dict[str, dict[str, Any]]) -> None:
    """In production the embedded defaults are wrong: such keys must be set explicitly."""
    if values["server"]["environment"] != "production":
        return
    for section, keys in SCHEMA.items():
        for name, key in keys.items():
            if key.required_in_production and values[section][name] in (key.default, "", None):
                variable = f"{ENV_PREFIX}{section.upper()}_{name.upper()}"
                raise ConfigError(
                    f"{section}.{name} is required when server.environment is production "
                    f"(set it in the config file or as {variable})"
                )
    if not values["server"]["issuer"].startswith("https://"):
        raise ConfigError("server.issuer must be an https:// URL in production")


def _fill_derived(values: dict[str, dict[str, Any]]) -> None:
    """The embedded default database is an SQLite file in the instance directory."""
    if not values["database"]["url"]:
        instance = Path(values["server"]["instance_dir"]).resolve()
        values["database"]["url"] = f"sqlite:///{instance / 'leerid.db'}"

"""Settings: TOML file < SEALBOX_* environment < explicit overrides, and clear refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from api.config import ConfigError, Settings, load_settings
from crypto.kdf import DEFAULT_ARGON2


def _toml(tmp_path: Path, text: str) -> str:
    path = tmp_path / "sealbox.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_file_then_environment_then_overrides(tmp_path: Path) -> None:
    config = _toml(
        tmp_path,
        'http_port = 1000\nimap_port = 2000\npop3_port = 3000\nhostname = "from-file"\n',
    )
    environ = {"SEALBOX_IMAP_PORT": "2001", "SEALBOX_POP3_PORT": "3001"}

    settings = load_settings(config, {"pop3_port": 3002}, environ=environ)

    assert (settings.http_port, settings.imap_port, settings.pop3_port) == (1000, 2001, 3002)
    assert settings.hostname == "from-file"
    assert settings.smtp_port == Settings().smtp_port


def test_config_path_can_come_from_the_environment(tmp_path: Path) -> None:
    config = _toml(tmp_path, "smtp_port = 25\n")
    settings = load_settings(None, environ={"SEALBOX_CONFIG": config})
    assert settings.smtp_port == 25


def test_explicit_path_wins_over_sealbox_config(tmp_path: Path) -> None:
    explicit = _toml(tmp_path, "smtp_port = 25\n")
    settings = load_settings(explicit, environ={"SEALBOX_CONFIG": str(tmp_path / "missing")})
    assert settings.smtp_port == 25


@pytest.mark.parametrize(
    ("variable", "value", "field", "expected"),
    [
        ("SEALBOX_HTTP_PORT", "8080", "http_port", 8080),
        ("SEALBOX_ARGON2_MEMORY_KIB", "19456", "argon2_memory_kib", 19456),
        ("SEALBOX_CREATE_DEMO_ACCOUNT", "false", "create_demo_account", False),
        ("SEALBOX_CREATE_DEMO_ACCOUNT", "true", "create_demo_account", True),
        ("SEALBOX_DATA_DIR", "/srv/sealbox", "data_dir", "/srv/sealbox"),
        (
            "SEALBOX_DATABASE_URL",
            "postgresql+asyncpg://db/x",
            "database_url",
            "postgresql+asyncpg://db/x",
        ),
    ],
)
def test_environment_strings_become_typed_values(
    variable: str, value: str, field: str, expected: Any
) -> None:
    settings = load_settings(None, environ={variable: value})
    assert getattr(settings, field) == expected
    assert type(getattr(settings, field)) is type(expected)


def test_overrides_of_none_are_ignored() -> None:
    settings = load_settings(None, {"http_port": None}, environ={"SEALBOX_HTTP_PORT": "8080"})
    assert settings.http_port == 8080


def test_unrelated_environment_variables_are_ignored() -> None:
    environ = {"HTTP_PORT": "1", "SEALBOX": "x", "PATH": "/usr/bin"}
    assert load_settings(None, environ=environ) == Settings()


@pytest.mark.parametrize(
    ("toml", "environ", "named"),
    [
        ("bogus_key = 1\n", {}, "bogus_key"),
        ("[server]\nhttp_port = 1\n", {}, "server"),
        ('http_port = "abc"\n', {}, "http_port"),
        ("http_port = true\n", {}, "http_port"),
        ("http_port = 8443.5\n", {}, "http_port"),
        ("hostname = 5\n", {}, "hostname"),
        ("", {"SEALBOX_IMAP_PORT": "abc"}, "imap_port"),
        ("", {"SEALBOX_CREATE_DEMO_ACCOUNT": "maybe"}, "create_demo_account"),
    ],
    ids=[
        "unknown-key",
        "unknown-table",
        "string-for-int",
        "bool-for-int",
        "float-for-int",
        "int-for-string",
        "env-not-int",
        "env-not-bool",
    ],
)
def test_bad_settings_are_refused_by_name(
    tmp_path: Path, toml: str, environ: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(_toml(tmp_path, toml), environ=environ)
    assert named in str(refused.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("http_port", "65536"),
        ("smtp_port", "-1"),
        ("argon2_time_cost", "0"),
        ("argon2_parallelism", "0"),
        ("argon2_memory_kib", "4"),
        ("argon2_max_concurrent", "0"),
    ],
)
def test_out_of_range_settings_are_refused_by_name(field: str, value: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(None, environ={f"SEALBOX_{field.upper()}": value})
    assert field in str(refused.value)


@pytest.mark.parametrize("value", ["/srv/blobs", "s3://", "s3:/bucket", "https://bucket"])
def test_a_blob_store_that_is_not_an_s3_url_is_refused(value: str) -> None:
    with pytest.raises(ConfigError, match="blob_store"):
        load_settings(None, environ={"SEALBOX_BLOB_STORE": value})
    assert load_settings(None, environ={"SEALBOX_BLOB_STORE": "s3://mail/node"}).blob_store


def test_argon2_memory_must_cover_its_lanes() -> None:
    # RFC 9106 3.1: at least 8 KiB per lane.
    with pytest.raises(ConfigError, match="argon2_memory_kib"):
        load_settings(None, {"argon2_parallelism": 4, "argon2_memory_kib": 16}, environ={})
    settings = load_settings(None, {"argon2_parallelism": 4, "argon2_memory_kib": 32}, environ={})
    assert settings.argon2_memory_kib == 32


@pytest.mark.parametrize(
    ("problem", "make"),
    [
        ("does not exist", lambda directory: directory / "missing.toml"),
        ("not valid TOML", lambda directory: Path(_toml(directory, "http_port = = 1\n"))),
    ],
)
def test_unreadable_config_files_are_refused(tmp_path: Path, problem: str, make: Any) -> None:
    with pytest.raises(ConfigError, match=problem):
        load_settings(str(make(tmp_path)), environ={})


def test_defaults_are_the_documented_ports_and_rfc_9106_argon2() -> None:
    settings = load_settings(None, environ={})
    ports = {
        "http": settings.http_port,
        "imap": settings.imap_port,
        "imaps": settings.imaps_port,
        "pop3": settings.pop3_port,
        "pop3s": settings.pop3s_port,
        "smtp": settings.smtp_port,
        "submission": settings.submission_port,
        "submissions": settings.submissions_port,
    }
    assert ports == {
        "http": 8443,
        "imap": 1143,
        "imaps": 1993,
        "pop3": 1110,
        "pop3s": 1995,
        "smtp": 2525,
        "submission": 1587,
        "submissions": 1465,
    }
    argon2 = (settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)
    assert argon2 == (3, 65536, 4)
    # The node's defaults and the crypto package's defaults are the same parameters.
    assert argon2 == (
        DEFAULT_ARGON2.time_cost,
        DEFAULT_ARGON2.memory_kib,
        DEFAULT_ARGON2.parallelism,
    )


def test_default_database_is_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(None, {"data_dir": str(tmp_path)}, environ={})
    assert settings.effective_database_url == f"sqlite+aiosqlite:///{tmp_path / 'sealbox.db'}"
    postgres = load_settings(None, {"database_url": "postgresql+asyncpg://db/sealbox"}, environ={})
    assert postgres.effective_database_url == "postgresql+asyncpg://db/sealbox"

"""Accounts and their credentials made through the real `sealbox` CLI, for end-to-end tests."""

from __future__ import annotations

import re
import secrets
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pyotp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from support.cli import CliResult, run_cli

__all__ = [
    "CODE_PATTERN",
    "CliAccount",
    "add_account",
    "add_app_password",
    "checked_cli",
    "enable_totp",
    "strong_password",
    "totp_from_uri",
    "unique_local_part",
    "write_escrow_keys",
    "wrong_totp_code",
]

# Recovery codes and app passwords: groups of 4 base32 characters joined by dashes.
CODE_PATTERN = re.compile(r"[a-z2-7]{4}(?:-[a-z2-7]{4}){7,15}")


def strong_password(tag: str = "") -> str:
    """A fresh password that passes the strength check; `tag` makes it easy to search for."""
    return f"{tag}{secrets.token_hex(8)}-Horse-Staple"


def unique_local_part(prefix: str = "u") -> str:
    return f"{prefix}{secrets.token_hex(5)}"


def checked_cli(env: dict[str, str], *args: str, stdin: str = "") -> CliResult:
    """Run the CLI and insist it succeeded, showing its stderr when it did not."""
    result = run_cli(env, *args, stdin=stdin)
    assert result.code == 0, f"sealbox {' '.join(args)} failed: {result.stderr}"
    return result


@dataclass(frozen=True)
class CliAccount:
    address: str
    password: str
    # Set when the account was created with `--recovery code`.
    recovery_code: str | None = None


def add_account(
    env: dict[str, str],
    domain: str,
    *,
    recovery: str = "none",
    name: str | None = None,
    password: str | None = None,
) -> CliAccount:
    address = f"{unique_local_part()}@{domain}"
    password = password or strong_password()
    args = ["user", "add", address, "--password-stdin", "--recovery", recovery]
    if name is not None:
        args += ["--name", name]
    result = checked_cli(env, *args, stdin=password + "\n")
    code = result.last_line if recovery == "code" else None
    if code is not None:
        assert CODE_PATTERN.fullmatch(code), result.stdout
    return CliAccount(address, password, code)


def add_app_password(env: dict[str, str], account: CliAccount, name: str = "test client") -> str:
    result = checked_cli(
        env,
        "user",
        "app-password",
        "add",
        account.address,
        "--name",
        name,
        "--password-stdin",
        stdin=account.password + "\n",
    )
    assert CODE_PATTERN.fullmatch(result.last_line), result.stdout
    return result.last_line


def totp_from_uri(uri: str) -> pyotp.TOTP:
    assert uri.startswith("otpauth://totp/"), uri
    secret = urllib.parse.parse_qs(urllib.parse.urlparse(uri).query)["secret"][0]
    return pyotp.TOTP(secret)


def enable_totp(env: dict[str, str], address: str) -> pyotp.TOTP:
    return totp_from_uri(checked_cli(env, "user", "totp", address, "enable").last_line)


def wrong_totp_code(totp: pyotp.TOTP) -> str:
    """A six-digit code that no step near now accepts."""
    now = time.time()
    near = {totp.at(now + 30 * offset) for offset in range(-3, 4)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in near)


def write_escrow_keys(folder: Path) -> tuple[Path, Path]:
    """An operator escrow key pair as PEM files in `folder`: (private, public)."""
    folder.mkdir(parents=True, exist_ok=True)
    private = X25519PrivateKey.generate()
    private_path, public_path = folder / "escrow-private.pem", folder / "escrow-public.pem"
    private_path.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public_path.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private_path, public_path

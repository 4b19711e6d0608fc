"""Sealbox settings: one frozen Struct read from sealbox.toml, then SEALBOX_* env, then flags."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

__all__ = ["ConfigError", "Settings", "load_settings", "parse_host_port"]

ENV_PREFIX = "SEALBOX_"
# An S3 bucket name (3-63 lower-case letters, digits, dots, hyphens) and a key prefix.
_S3_URL = re.compile(r"s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/.*)?")
CONFIG_ENV = "SEALBOX_CONFIG"


# A port of 0 turns its listener off.
Port = Annotated[int, msgspec.Meta(ge=0, le=65535)]
# RFC 9106 3.1 bounds; memory must also cover 8 KiB per lane (see __post_init__).
Argon2TimeCost = Annotated[int, msgspec.Meta(ge=1)]
Argon2Parallelism = Annotated[int, msgspec.Meta(ge=1, le=0xFFFFFF)]
Argon2MemoryKib = Annotated[int, msgspec.Meta(ge=8)]
AtLeastOne = Annotated[int, msgspec.Meta(ge=1)]
NonNegative = Annotated[int, msgspec.Meta(ge=0)]


class ConfigError(Exception):
    """A setting is missing, unknown or of the wrong type; the message names it."""


class Settings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Every knob of a Sealbox node. Ports set to 0 disable that listener."""

    data_dir: str = "./data"
    # Empty means SQLite (WAL) at data_dir/sealbox.db; postgresql+asyncpg:// URLs work too.
    database_url: str = ""
    # Empty means files under data_dir/blobs; s3://BUCKET[/PREFIX] an S3-compatible
    # object store, which several nodes share (they need the same database_url too).
    blob_store: str = ""
    # Empty means AWS; otherwise the store's URL, e.g. http://minio.internal:9000.
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    # Empty key id: botocore's own chain (AWS_* env, ~/.aws, instance role). The secret
    # comes from a file, as the relay password does, so none sits in config or env.
    s3_access_key_id: str = ""
    s3_secret_access_key_file: str = ""
    hostname: str = "localhost"
    bind: str = "127.0.0.1"
    # Empty means a self-signed pair generated on first start under data_dir/tls/.
    tls_cert: str = ""
    tls_key: str = ""

    http_port: Port = 8443
    imap_port: Port = 1143
    imaps_port: Port = 1993
    pop3_port: Port = 1110
    pop3s_port: Port = 1995
    smtp_port: Port = 2525
    submission_port: Port = 1587
    submissions_port: Port = 1465

    # RFC 9106 second recommended option; stored per account so it can be raised later.
    argon2_time_cost: Argon2TimeCost = 3
    argon2_memory_kib: Argon2MemoryKib = 65536
    argon2_parallelism: Argon2Parallelism = 4
    # Each Argon2 run holds argon2_memory_kib of RAM; this bounds how many run at once.
    argon2_max_concurrent: AtLeastOne = 2

    session_ttl_seconds: int = 14 * 24 * 3600
    login_challenge_ttl_seconds: int = 300
    # Basic-auth clients resend the secret on every request; keep the unlock this long.
    unlock_cache_seconds: int = 300
    # A RAM file system for the live search indexes of unlocked accounts (never the data
    # disk: the files there are plaintext); each account's is sealed into the database.
    search_ram_dir: str = "/dev/shm"  # noqa: S108 (a private 0700 directory per account)
    # `sealbox serve` refuses a search_ram_dir that is not tmpfs/ramfs; true skips that
    # check (only for a disk that is itself encrypted, e.g. in a throwaway VM).
    search_ram_dir_allow_disk: bool = False
    # An unlocked account's index is sealed and dropped from RAM after this idle time.
    search_idle_seconds: int = 300
    # The writer lease of an account's index (one sealing node per account): renewed
    # while in use, released at close; a crashed node's is taken over once it runs out.
    search_lease_seconds: int = 30
    # Failed sign-ins allowed per window before 429, per account and per client address.
    login_max_failures_per_account: int = 10
    login_max_failures_per_client: int = 30
    login_failure_window_seconds: int = 900

    # PEM X25519 public key of an offline operator key; accounts created with
    # `--recovery escrow` get their master key sealed to it.
    escrow_public_key: str = ""

    # Mail storage per account in octets (RFC 9425 hardLimit); 0 means no limit.
    # `sealbox user quota` sets it per account.
    mail_quota_octets: NonNegative = 0

    # SMTP (RFC 5321): the largest message accepted, advertised in EHLO SIZE (RFC 1870).
    max_message_octets: AtLeastOne = 50 * 1024 * 1024
    # Inbound MX abuse limits, per client IP address.
    smtp_max_connections_per_ip: AtLeastOne = 20
    smtp_max_messages_per_ip_per_minute: AtLeastOne = 300
    # Worker processes for the MX's sender checks and sealing, beside the event loop: one
    # per CPU core by default; 0 does that work in the server process itself.
    smtp_worker_processes: NonNegative = msgspec.field(default_factory=lambda: os.cpu_count() or 1)
    # RFC 8601 authserv-id of our Authentication-Results headers; empty means hostname.
    authserv_id: str = ""
    # Refuse (550 5.7.1) mail failing DMARC whose sender domain publishes p=reject.
    dmarc_enforce_reject: bool = True
    # A DNS master file answering every inbound-check lookup instead of the network
    # (tests, air-gapped nodes); names in it are absolute.
    dns_zone_file: str = ""
    # Outbound SMTP (RFC 5321 5.1). A relay ("host:port") takes all remote mail instead
    # of MX lookup; its password comes from a file so no secret sits in config or env.
    outbound_relay: str = ""
    outbound_relay_username: str = ""
    outbound_relay_password_file: str = ""
    # Static next hops that bypass MX lookup, per recipient domain: a TOML table
    # {"example.com" = "127.0.0.1:2525"}, or "example.com=127.0.0.1:2525,b.example=mx:25".
    outbound_transport: dict[str, str] | str = ""
    # Recipient domains that get mail only over STARTTLS: a TOML list or "a.example,b.example".
    outbound_require_tls: list[str] | str = ""
    # Seconds between queue runs on each serving node.
    outbound_interval_seconds: Annotated[float, msgspec.Meta(gt=0)] = 30.0
    # IMAP APPEND literals up to this size (RFC 7889 APPENDLIMIT); other literals 64 KiB.
    imap_max_append_octets: AtLeastOne = 50 * 1024 * 1024
    # What POP3 DELE (at QUIT) does to a message: "trash" moves it from the Inbox to
    # Trash; "destroy" deletes it, which still keeps it 30 days for restore.
    pop3_delete: Literal["trash", "destroy"] = "trash"

    # WebAuthn relying party (passkeys): the RP ID is a registrable domain, never an IP
    # address (browsers refuse those); empty means hostname. Origins the browser may
    # report, a TOML list or "https://a,https://b"; empty means https://RPID:http_port
    # (and https://RPID when that port is 443).
    passkey_rp_id: str = ""
    passkey_origins: list[str] | str = ""
    passkey_challenge_ttl_seconds: AtLeastOne = 300

    create_demo_account: bool = True
    log_level: str = "info"

    def __post_init__(self) -> None:
        # msgspec turns this ValueError into a ValidationError without a field path,
        # so the message itself names the settings.
        if self.argon2_memory_kib < 8 * self.argon2_parallelism:
            raise ValueError("argon2_memory_kib must be at least 8 * argon2_parallelism")
        if self.blob_store and not re.fullmatch(
            r"s3://[a-z0-9][a-z0-9.\-]{1,62}(/.*)?", self.blob_store
        ):
            raise ValueError("blob_store must be empty or s3://BUCKET[/PREFIX]")
        if self.outbound_relay:
            parse_host_port(self.outbound_relay, "outbound_relay")
        for domain, hop in self.transport_map.items():
            parse_host_port(hop, f"outbound_transport for {domain}")

    @property
    def transport_map(self) -> dict[str, str]:
        """outbound_transport as {lower-case domain: "host:port"}."""
        value = self.outbound_transport
        if isinstance(value, str):
            pairs = [item.partition("=") for item in value.split(",") if item.strip()]
            if any(not sep for _, sep, _ in pairs):
                raise ValueError("outbound_transport entries are domain=host:port")
            value = {domain: hop for domain, _, hop in pairs}
        return {domain.strip().lower(): hop.strip() for domain, hop in value.items()}

    @property
    def require_tls_domains(self) -> frozenset[str]:
        value = self.outbound_require_tls
        items = value.split(",") if isinstance(value, str) else value
        return frozenset(item.strip().lower() for item in items if item.strip())

    @property
    def webauthn_rp_id(self) -> str:
        return self.passkey_rp_id or self.hostname

    @property
    def webauthn_origins(self) -> list[str]:
        value = self.passkey_origins
        items = value.split(",") if isinstance(value, str) else value
        origins = [item.strip().rstrip("/") for item in items if item.strip()]
        if origins:
            return origins
        rp_id = self.webauthn_rp_id
        if self.http_port == 443:
            return [f"https://{rp_id}"]
        return [f"https://{rp_id}:{self.http_port}"]

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_path / 'sealbox.db').resolve()}"


def parse_host_port(value: str, name: str) -> tuple[str, int]:
    """ "host:port" (or "[v6]:port") as a pair; ValueError naming the setting otherwise."""
    host, sep, port = value.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{name} must be host:port, got {value!r}")
    return host.strip("[]"), int(port)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc


def _from_environment(environ: Mapping[str, str]) -> dict[str, str]:
    known = set(Settings.__struct_fields__)
    values: dict[str, str] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or name == CONFIG_ENV:
            continue
        field = name[len(ENV_PREFIX) :].lower()
        if field in known:
            values[field] = value
    return values


def load_settings(
    config_path: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Merge the TOML file, SEALBOX_* variables and explicit overrides, later ones winning."""
    env = os.environ if environ is None else environ
    path = config_path or env.get(CONFIG_ENV)
    merged: dict[str, Any] = {}
    if path:
        merged.update(_read_toml(Path(path)))
    merged.update(_from_environment(env))
    merged.update({k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        # Environment values are strings; strict=False lets "8443" become 8443.
        return msgspec.convert(merged, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"invalid setting: {exc}") from exc

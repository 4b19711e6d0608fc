"""Every `sealbox` command through the real console script: results on stdout with the
secret alone on the last line, errors as one `sealbox: error:` sentence on stderr."""

from __future__ import annotations

import json
import re
import signal
import socket
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from support.cli import SEALBOX, CliResult, run_cli
from support.cli_accounts import (
    CODE_PATTERN,
    add_account,
    add_app_password,
    checked_cli,
    strong_password,
    totp_from_uri,
    write_escrow_keys,
)
from support.environment import free_port, sealbox_environment
from support.server import RunningServer, https_client, start_server

Cli = Callable[..., CliResult]
DOMAIN = "example.org"


def assert_cli_error(result: CliResult, fragment: str) -> None:
    """Non-zero exit, one `sealbox: error:` sentence on stderr naming the problem, no trace."""
    assert result.code != 0, result.stdout
    assert result.stderr.startswith("sealbox: error: "), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert fragment.lower() in result.stderr.lower(), result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def _domains(cli: Cli) -> list[str]:
    return [line.split("\t")[0] for line in cli("domain", "list").stdout.splitlines()]


def _users(cli: Cli) -> dict[str, list[str]]:
    rows = (line.split("\t") for line in cli("user", "list").stdout.splitlines())
    return {row[0]: row[1:] for row in rows}


def _password_unlocks(env: dict[str, str], address: str, password: str) -> bool:
    """Whether `password` is the account's password, asked through a command that needs it."""
    result = run_cli(
        env,
        *("user", "app-password", "add", address, "--name", "probe", "--password-stdin"),
        stdin=password + "\n",
    )
    return result.code == 0


# --- domain -----------------------------------------------------------------------------


def test_domain_add_list_remove(cli: Cli) -> None:
    assert cli("domain", "list").stdout == ""
    added = cli("domain", "add", "Example.ORG.")
    assert (added.code, added.last_line) == (0, "added domain example.org")
    assert cli("domain", "add", "mail.example.net").code == 0
    listing = cli("domain", "list").stdout.splitlines()
    assert [line.split("\t")[0] for line in listing] == ["example.org", "mail.example.net"]
    assert re.fullmatch(r"example\.org\tadded \d{4}-\d\d-\d\d", listing[0])

    removed = cli("domain", "remove", "EXAMPLE.org")
    assert removed.code == 0, removed.stderr
    assert removed.last_line.lower() == "removed domain example.org"
    assert _domains(cli) == ["mail.example.net"]


def test_domain_dmarc_switch(cli: Cli) -> None:
    """RFC 7489 6.7: a domain enforces or only reports DMARC failures; default follows
    the server's dmarc_enforce_reject."""
    assert cli("domain", "add", DOMAIN).code == 0
    reported = cli("domain", "dmarc", DOMAIN, "report")
    assert reported.code == 0 and "reported in Authentication-Results" in reported.last_line
    assert cli("domain", "list").stdout.rstrip("\n").endswith("\tdmarc report")
    assert "refused (550)" in cli("domain", "dmarc", DOMAIN, "enforce").last_line
    assert cli("domain", "list").stdout.rstrip("\n").endswith("\tdmarc enforce")
    back = cli("domain", "dmarc", DOMAIN, "default")
    assert back.last_line == f"{DOMAIN} follows the server's DMARC setting (now enforce)"
    assert "dmarc" not in cli("domain", "list").stdout
    assert_cli_error(cli("domain", "dmarc", "elsewhere.test", "report"), "not hosted")


def test_domain_remove_is_refused_while_accounts_exist(cli_env: dict[str, str], cli: Cli) -> None:
    checked_cli(cli_env, "domain", "add", DOMAIN)
    account = add_account(cli_env, DOMAIN)
    assert_cli_error(cli("domain", "remove", DOMAIN), "still has accounts")
    assert _domains(cli) == [DOMAIN]
    checked_cli(cli_env, "user", "remove", account.address)
    assert cli("domain", "remove", DOMAIN).code == 0
    assert _domains(cli) == []


# --- user -------------------------------------------------------------------------------


def test_user_add_list_remove(cli_env: dict[str, str], cli: Cli) -> None:
    checked_cli(cli_env, "domain", "add", DOMAIN)
    password = strong_password()
    plain = cli("user", "add", "Alice@Example.org", "--password-stdin", stdin=password + "\n")
    assert plain.code == 0, plain.stderr
    assert plain.stdout.startswith("added account alice@example.org (")
    assert "no recovery" in plain.last_line and not CODE_PATTERN.search(plain.stdout)

    coded = cli(
        *("user", "add", "bob@example.org", "--password-stdin"),
        *("--recovery", "code", "--name", "Bob Example"),
        stdin=strong_password() + "\n",
    )
    assert coded.code == 0, coded.stderr
    assert CODE_PATTERN.fullmatch(coded.last_line), coded.stdout
    assert coded.stdout.count(coded.last_line) == 1

    users = _users(cli)
    assert list(users) == ["alice@example.org", "bob@example.org"]
    assert users["alice@example.org"][1:3] == ["recovery=none", "sign-in=password"]
    assert users["bob@example.org"][1:3] == ["recovery=code", "sign-in=password"]
    assert re.fullmatch(r"a[a-z0-9]+", users["alice@example.org"][0])

    removed = cli("user", "remove", "ALICE@example.org")
    assert removed.code == 0, removed.stderr
    assert list(_users(cli)) == ["bob@example.org"]
    assert not _password_unlocks(cli_env, "alice@example.org", password)


def test_user_quota_shows_and_sets_the_limit(cli_env: dict[str, str], cli: Cli) -> None:
    checked_cli(cli_env, "domain", "add", DOMAIN)
    checked_cli(
        cli_env, "user", "add", "quota@example.org", "--password-stdin", stdin=strong_password()
    )
    shown = cli("user", "quota", "quota@example.org")
    assert shown.code == 0 and shown.last_line.endswith("0 octets used, limit no limit")
    assert cli("user", "quota", "quota@example.org", "2G").last_line.endswith(
        "limit 2000000000 octets"
    )
    assert cli("user", "quota", "quota@example.org", "default").last_line.endswith("no limit")
    assert_cli_error(cli("user", "quota", "quota@example.org", "lots"), "is not a size")
    assert_cli_error(cli("user", "quota", "nobody@example.org", "1G"), "no account")


def test_user_passwd_with_the_current_password(cli_env: dict[str, str], cli: Cli) -> None:
    checked_cli(cli_env, "domain", "add", DOMAIN)
    account = add_account(cli_env, DOMAIN)
    new = strong_password()
    result = cli(
        "user", "passwd", account.address, "--password-stdin", stdin=f"{account.password}\n{new}\n"
    )
    assert result.code == 0, result.stderr
    assert not _password_unlocks(cli_env, account.address, account.password)
    assert _password_unlocks(cli_env, account.address, new)


def test_user_passwd_with_the_recovery_code(cli_env: dict[str, str], cli: Cli) -> None:
    checked_cli(cli_env, "domain", "add", DOMAIN)
    account = add_account(cli_env, DOMAIN, recovery="code")
    assert account.recovery_code is not None
    new = strong_password()
    args = ("user", "passwd", account.address, "--recovery-code", "--password-stdin")
    result = cli(*args, stdin=f"{account.recovery_code}\n{new}\n")
    assert result.code == 0, result.stderr
    fresh = result.last_line
    assert CODE_PATTERN.fullmatch(fresh) and fresh != account.recovery_code
    assert _password_unlocks(cli_env, account.address, new)
    assert not _password_unlocks(cli_env, account.address, account.password)

    assert_cli_error(
        cli(*args, stdin=f"{account.recovery_code}\n{strong_password()}\n"), "recovery code"
    )
    # Typed in upper case with spaces, the new code still works.
    typed = fresh.upper().replace("-", " ")
    assert cli(*args, stdin=f"{typed}\n{strong_password()}\n").code == 0


def test_user_passwd_with_the_operator_escrow_key(tmp_path: Path) -> None:
    private_path, public_path = write_escrow_keys(tmp_path / "escrow")
    other_private, _ = write_escrow_keys(tmp_path / "another-escrow")
    env = sealbox_environment(tmp_path / "data", SEALBOX_ESCROW_PUBLIC_KEY=str(public_path))
    checked_cli(env, "domain", "add", DOMAIN)
    account = add_account(env, DOMAIN, recovery="escrow")
    new = strong_password()
    args = ("user", "passwd", account.address, "--password-stdin", "--escrow-key")

    assert_cli_error(run_cli(env, *args, str(other_private), stdin=new + "\n"), "escrow key")
    assert _password_unlocks(env, account.address, account.password)

    result = run_cli(env, *args, str(private_path), stdin=new + "\n")
    assert result.code == 0, result.stderr
    assert _password_unlocks(env, account.address, new)
    assert not _password_unlocks(env, account.address, account.password)


def test_app_password_add_list_revoke(cli_env: dict[str, str], cli: Cli) -> None:
    checked_cli(cli_env, "domain", "add", DOMAIN)
    account = add_account(cli_env, DOMAIN)
    first = add_app_password(cli_env, account, name="Thunderbird on laptop")
    second = add_app_password(cli_env, account, name="Phone")
    assert first != second

    listing = cli("user", "app-password", "list", account.address).stdout
    rows = [line.split("\t") for line in listing.splitlines()]
    ids = {row[1]: row[0] for row in rows}
    assert set(ids) == {"Thunderbird on laptop", "Phone"}
    assert all(re.fullmatch(r"p[a-z0-9]+", i) for i in ids.values())
    assert all(row[3] == "last used never" for row in rows)
    assert first not in listing and second not in listing

    laptop = ids["Thunderbird on laptop"]
    revoked = cli("user", "app-password", "revoke", account.address, laptop)
    assert revoked.code == 0, revoked.stderr
    remaining = cli("user", "app-password", "list", account.address).stdout.splitlines()
    assert [line.split("\t")[0] for line in remaining] == [ids["Phone"]]
    assert_cli_error(cli("user", "app-password", "revoke", account.address, laptop), laptop)


def test_totp_enable_and_disable(cli_env: dict[str, str], cli: Cli) -> None:
    checked_cli(cli_env, "domain", "add", DOMAIN)
    account = add_account(cli_env, DOMAIN)
    enabled = cli("user", "totp", account.address, "enable")
    assert enabled.code == 0, enabled.stderr
    totp = totp_from_uri(enabled.last_line)
    assert re.fullmatch(r"[A-Z2-7]{32}", totp.secret)
    assert enabled.stdout.count(totp.secret) == 1
    assert "issuer=Sealbox" in enabled.last_line
    assert _users(cli)[account.address][2] == "sign-in=totp"
    assert_cli_error(cli("user", "totp", account.address, "enable"), "already on")

    assert cli("user", "totp", account.address, "disable").code == 0
    assert _users(cli)[account.address][2] == "sign-in=password"
    assert_cli_error(cli("user", "totp", account.address, "disable"), "already off")


def test_openapi_prints_the_document(cli: Cli, tmp_path: Path) -> None:
    printed = cli("openapi")
    assert printed.code == 0, printed.stderr
    document = json.loads(printed.stdout)
    assert document["openapi"].startswith("3.")
    assert {"/auth/login", "/auth/totp", "/auth/recover"} <= set(document["paths"])

    target = tmp_path / "openapi.json"
    written = cli("openapi", "--output", str(target))
    assert written.code == 0, written.stderr
    assert json.loads(target.read_text()) == document


# --- errors -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def populated_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """example.org with bob (password only) and carol (TOTP on); errors leave them as is."""
    env = sealbox_environment(tmp_path_factory.mktemp("cli-errors") / "data")
    checked_cli(env, "domain", "add", DOMAIN)
    bob = strong_password()
    checked_cli(env, "user", "add", "bob@example.org", "--password-stdin", stdin=bob + "\n")
    checked_cli(env, "user", "add", "carol@example.org", "--password-stdin", stdin=bob + "\n")
    checked_cli(env, "user", "totp", "carol@example.org", "enable")
    return env


GOOD = strong_password() + "\n"
WRONG_CODE = "aaaa-bbbb-cccc-dddd-eeee-ffff-gggg-hhhh"


FAILURES: list[tuple[list[str], str, str]] = [
    (["domain", "add", "not a domain"], "", "not a valid domain name"),
    (["domain", "add", "under_score.example"], "", "not a valid domain name"),
    (["domain", "add", "EXAMPLE.org"], "", "already hosted"),
    (["domain", "remove", "example.org"], "", "still has accounts"),
    (["domain", "remove", "nothere.example"], "", "not hosted here"),
    (["user", "add", "x@nothere.example", "--password-stdin"], GOOD, "domain add"),
    (["user", "add", "bad address", "--password-stdin"], GOOD, "not a valid email address"),
    (["user", "add", "new@example.org", "--password-stdin"], "short\n", "at least 12"),
    (["user", "add", "new@example.org", "--password-stdin"], "password1234\n", "common"),
    (["user", "add", "BOB@example.org", "--password-stdin"], GOOD, "already has an account"),
    (["user", "add", "new@example.org", "--password-stdin"], "", "standard input"),
    (["user", "add", "new@example.org"], GOOD, "--password-stdin"),
    (
        ["user", "add", "new@example.org", "--password-stdin", "--recovery", "escrow"],
        GOOD,
        "escrow_public_key",
    ),
    (["user", "remove", "nobody@example.org"], "", "no account has the address"),
    (["user", "passwd", "bob@example.org", "--password-stdin"], "Wrong-1\n" + GOOD, "wrong"),
    (
        ["user", "passwd", "bob@example.org", "--recovery-code", "--password-stdin"],
        f"{WRONG_CODE}\n{GOOD}",
        "no recovery",
    ),
    (
        ["user", "passwd", "nobody@example.org", "--recovery-code", "--password-stdin"],
        f"{WRONG_CODE}\n{GOOD}",
        "recovery code is wrong",
    ),
    (
        ["user", "passwd", "bob@example.org", "--escrow-key", "/no/key.pem", "--password-stdin"],
        GOOD,
        "escrow",
    ),
    (
        ["user", "app-password", "add", "bob@example.org", "--name", "x", "--password-stdin"],
        "Wrong-Password-1\n",
        "password is wrong",
    ),
    (["user", "app-password", "revoke", "bob@example.org", "pnothere"], "", "pnothere"),
    (["user", "app-password", "list", "nobody@example.org"], "", "no account"),
    (["user", "totp", "bob@example.org", "disable"], "", "already off"),
    (["user", "totp", "carol@example.org", "enable"], "", "already on"),
    (["--http-port", "eighty", "domain", "list"], "", "http_port"),
    (["--config", "/no/such/sealbox.toml", "domain", "list"], "", "does not exist"),
]


@pytest.fixture(scope="module")
def failure_results(populated_env: dict[str, str]) -> list[CliResult]:
    """Every failing command, run side by side once (each is a separate process anyway)."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = [
            pool.submit(run_cli, populated_env, *args, stdin=stdin) for args, stdin, _ in FAILURES
        ]
        return [run.result() for run in runs]


@pytest.mark.parametrize(
    "case", range(len(FAILURES)), ids=[" ".join(args) for args, _, _ in FAILURES]
)
def test_every_failure_is_one_sentence_on_stderr(
    failure_results: list[CliResult], case: int
) -> None:
    assert_cli_error(failure_results[case], FAILURES[case][2])


@pytest.mark.parametrize(
    ("make_env", "fragment"),
    [
        (lambda folder: {"SEALBOX_DATA_DIR": str(folder / "a-file")}, "a-file"),
        (lambda folder: {"SEALBOX_DATA_DIR": str(folder / "a-file" / "below")}, "a-file"),
        (lambda folder: {"SEALBOX_CONFIG": str(folder / "broken.toml")}, "not valid TOML"),
        (lambda folder: {"SEALBOX_ARGON2_TIME_COST": "many"}, "argon2_time_cost"),
    ],
    ids=["data-dir-is-a-file", "data-dir-below-a-file", "broken-config", "bad-env-setting"],
)
def test_a_broken_setup_is_one_sentence_too(
    tmp_path: Path, make_env: Callable[[Path], dict[str, str]], fragment: str
) -> None:
    (tmp_path / "a-file").write_text("not a directory\n")
    (tmp_path / "broken.toml").write_text("http_port = [\n")
    env = sealbox_environment(tmp_path / "data", **make_env(tmp_path))
    assert_cli_error(run_cli(env, "domain", "list"), fragment)


@pytest.mark.parametrize(
    "args",
    [["frobnicate"], ["user", "add"], ["domain"], ["user", "totp", "a@example.org", "toggle"]],
    ids=["unknown-command", "missing-address", "missing-action", "bad-choice"],
)
def test_usage_errors_show_usage_and_exit_2(cli: Cli, args: list[str]) -> None:
    result = cli(*args)
    assert result.code == 2
    assert result.stderr.startswith("usage: sealbox")
    assert re.match(r"sealbox( [a-z-]+)*: error: ", result.stderr.strip().splitlines()[-1])
    assert "Traceback" not in result.stderr


# --- serve ------------------------------------------------------------------------------


def _serve(data_dir: Path, **extra: str) -> RunningServer:
    port = free_port()
    env = sealbox_environment(data_dir, SEALBOX_HTTP_PORT=str(port), **extra)
    return start_server(data_dir, env, port)


def _stop(server: RunningServer, sig: signal.Signals = signal.SIGTERM) -> int:
    """Signal the server, wait for it to exit and for its last line to be read."""
    server.process.send_signal(sig)
    code = server.process.wait(timeout=20)
    deadline = time.monotonic() + 5
    while "sealbox: stopped" not in server.output and time.monotonic() < deadline:
        time.sleep(0.02)
    return code


@pytest.fixture
def servers() -> Iterator[list[RunningServer]]:
    """Servers a test starts; any still running at the end are stopped."""
    started: list[RunningServer] = []
    yield started
    for server in started:
        server.stop()


def _sign_in(server: RunningServer, address: str, password: str) -> int:
    with https_client(server) as client:
        response = client.post("/auth/login", json={"username": address, "password": password})
    return response.status_code


def test_serve_first_start_makes_demo_account_and_certificate_once(
    tmp_path: Path, servers: list[RunningServer]
) -> None:
    data_dir = tmp_path / "data"
    first = _serve(data_dir, SEALBOX_CREATE_DEMO_ACCOUNT="true")
    servers.append(first)
    output = "\n".join(first.output)
    assert f"sealbox: https listening on https://localhost:{first.http_port}/" in output
    demo = dict(re.findall(r"^sealbox:\s+(address|password)\s+(\S+)$", output, flags=re.MULTILINE))
    assert set(demo) == {"address", "password"}, output
    assert "generated a self-signed TLS certificate" in output
    assert "sealbox: ready" in first.output

    key = data_dir / "tls" / "key.pem"
    assert first.cert_path.is_file() and key.is_file()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    certificate = first.cert_path.read_bytes()
    assert _sign_in(first, demo["address"], demo["password"]) == 200
    assert _stop(first) == 0

    second = _serve(data_dir, SEALBOX_CREATE_DEMO_ACCOUNT="true")
    servers.append(second)
    again = "\n".join(second.output)
    assert "demo account" not in again and demo["password"] not in again
    assert "generated a self-signed" not in again
    assert second.cert_path.read_bytes() == certificate
    assert _sign_in(second, demo["address"], demo["password"]) == 200
    assert _stop(second) == 0
    users = run_cli(second.env, "user", "list").stdout.splitlines()
    assert [line.split("\t")[0] for line in users] == [demo["address"]]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_stops_cleanly_on_a_signal(
    tmp_path: Path, servers: list[RunningServer], sig: signal.Signals
) -> None:
    server = _serve(tmp_path / "data")
    servers.append(server)
    assert _sign_in(server, "nobody@example.org", "whatever-it-is") == 401
    assert _stop(server, sig) == 0
    assert server.output[-2:] == ["sealbox: stopping", "sealbox: stopped"]
    assert not any("Traceback" in line for line in server.output)


def test_serve_refuses_a_port_in_use_with_one_sentence(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = sealbox_environment(tmp_path / "data", SEALBOX_HTTP_PORT=str(port))
        result = subprocess.run(
            [SEALBOX, "serve"], env=env, capture_output=True, text=True, timeout=60, check=False
        )
    assert result.returncode == 1, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("sealbox: error: ")]
    assert len(errors) == 1 and str(port) in errors[0], result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_serve_with_every_listener_off_says_so_and_exits(tmp_path: Path) -> None:
    env = sealbox_environment(tmp_path / "data")
    result = subprocess.run(
        [SEALBOX, "serve"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "every listener is disabled" in result.stdout
    assert not (tmp_path / "data" / "tls").exists()

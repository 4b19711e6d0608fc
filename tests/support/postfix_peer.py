"""A private Debian Postfix on loopback as the remote MTA: installed if missing, own config
directory and queue, relaying everything it accepts to a next hop the test runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from support.debian_packages import install_missing
from support.environment import free_port

__all__ = ["ensure_postfix", "postfix_peer"]

_POSTFIX = "/usr/sbin/postfix"
# Installing must not write a system-wide main.cf: each test writes its own.
_NO_CONFIGURATION = "postfix postfix/main_mailer_type select No configuration\n"
_SERVICES = """\
{port}    inet  n       -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def ensure_postfix() -> str | None:
    """None once Postfix is installed (installing it through apt if needed), else why not."""
    return install_missing(["postfix"], [_POSTFIX], debconf=_NO_CONFIGURATION)


def _main_cf(root: Path, port: int, next_hop: str) -> str:
    return f"""\
compatibility_level = 3.6
queue_directory = {root}/queue
data_directory = {root}/data
maillog_file = {root}/maillog
maillog_file_prefixes = {root}
myhostname = postfix.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
relayhost = {next_hop}
default_transport = smtp
smtp_tls_security_level = none
smtpd_tls_security_level = none
alias_maps =
alias_database =
smtp_dns_support_level = disabled
disable_dns_lookups = yes
"""


@contextmanager
def postfix_peer(next_hop: str) -> Iterator[tuple[int, Path]]:
    """Start Postfix on a free loopback port relaying to `next_hop` ("[host]:port");
    yields (port, its maillog). Stopped on exit."""
    root = Path(f"/tmp/sealbox-postfix-{os.getpid()}-{free_port()}")
    port = free_port()
    for folder in ("conf", "queue", "data"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    shutil.chown(root / "data", "postfix", "postfix")
    conf = root / "conf"
    (conf / "main.cf").write_text(_main_cf(root, port, next_hop), encoding="utf-8")
    (conf / "master.cf").write_text(_SERVICES.format(port=f"127.0.0.1:{port}"), encoding="utf-8")
    run = ["postfix", "-c", str(conf)]
    subprocess.run([*run, "set-permissions"], capture_output=True, check=False)
    started = subprocess.run([*run, "start"], capture_output=True, text=True, check=False)
    if started.returncode != 0:
        raise RuntimeError(f"postfix did not start: {started.stderr}")
    try:
        _wait_for(port)
        yield port, root / "maillog"
    finally:
        subprocess.run([*run, "stop"], capture_output=True, check=False)
        time.sleep(0.5)
        shutil.rmtree(root, ignore_errors=True)


def _wait_for(port: int) -> None:
    import socket

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                if probe.recv(100).startswith(b"220"):
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("postfix never answered on its port")

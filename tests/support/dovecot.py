"""A private Dovecot IMAP server on loopback, for import tests against a real peer.

Debian's dovecot-imapd (and dovecot-lmtpd for LMTP) is installed when missing (apt-get);
the server runs in the foreground as a child of the test with its own config, a
passwd-file user, Maildir folders under a fresh directory and a self-signed certificate
made here.
"""

from __future__ import annotations

import datetime
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from support.debian_packages import install_missing
from support.environment import free_port

__all__ = ["DovecotServer", "dovecot_unavailable", "running_dovecot"]

DOVECOT = "/usr/sbin/dovecot"
_LMTP = "/usr/lib/dovecot/lmtp"
USER = "importer@source.test"
PASSWORD = "source-pass-0451"


@dataclass(frozen=True)
class DovecotServer:
    imap_port: int
    imaps_port: int
    user: str
    password: str
    log: Path


def dovecot_unavailable(*, lmtp: bool = False) -> str | None:
    """Why Dovecot (with its LMTP server when `lmtp`) cannot run here, None when it can;
    installs it with apt when missing."""
    if lmtp:
        return install_missing(["dovecot-imapd", "dovecot-lmtpd"], [DOVECOT, _LMTP])
    return install_missing(["dovecot-imapd"], [DOVECOT])


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _lmtp_config(lmtp_port: int) -> str:
    # Dovecot's own local delivery (RFC 2033), for the inbound bench's reference figure.
    return f"""
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp_port}
  }}
}}
"""


def _config(root: Path, imap_port: int, imaps_port: int, lmtp_port: int) -> str:
    cert, key = _certificate(root)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n", encoding="utf-8")
    protocols = "imap lmtp" if lmtp_port else "imap"
    lmtp = _lmtp_config(lmtp_port) if lmtp_port else ""
    return f"""
protocols = {protocols}
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
ssl_dh = </usr/share/dovecot/dh.pem
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
  default_fields = uid=nobody gid=nogroup home={root}/home/%u
}}
mail_location = maildir:{root}/mail/%u
mail_uid = nobody
mail_gid = nogroup
namespace inbox {{
  inbox = yes
  separator = .
  mailbox "Sent Messages" {{
    special_use = \\Sent
  }}
  mailbox Drafts {{
    special_use = \\Drafts
  }}
  mailbox Spam {{
    special_use = \\Junk
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
{lmtp}"""


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dovecot exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("dovecot did not start listening")


@contextmanager
def running_dovecot(lmtp_port: int = 0) -> Iterator[DovecotServer]:
    """A private Dovecot; `lmtp_port` also opens its LMTP service there (0: none)."""
    # Outside pytest's 0700 tmp tree: the mail user (nobody) must reach its Maildir.
    root = Path(tempfile.mkdtemp(prefix="sealbox-dovecot-"))
    root.chmod(0o755)
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir(mode=0o755)
    shutil.chown(root / "mail", "nobody", "nogroup")
    shutil.chown(root / "home", "nobody", "nogroup")
    imap_port, imaps_port = free_port(), free_port()
    config = root / "dovecot.conf"
    config.write_text(_config(root, imap_port, imaps_port, lmtp_port), encoding="utf-8")
    log = root / "dovecot.log"
    # Foreground, with stdin/stdout away from pytest's pipes (else Dovecot holds them open).
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=(root / "stderr.log").open("wb"),
    )
    try:
        _wait_for(imaps_port, process, log)
        yield DovecotServer(imap_port, imaps_port, USER, PASSWORD, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)

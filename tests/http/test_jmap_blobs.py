"""Binary data over real HTTPS (RFC 8620 6): upload, download with ranges and names,
limits, other accounts' blobs, Blob/copy, and downloads of attachment parts."""

from __future__ import annotations

import base64
import os
import socket
import ssl
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from support.cli_accounts import CliAccount, add_account, add_app_password
from support.server import RunningServer, hosted_server, https_client

pytestmark = pytest.mark.slow

DOMAIN = "blobs.example"
CORE = "urn:ietf:params:jmap:core"
LIMIT = "urn:ietf:params:jmap:error:limit"
MAX_SIZE_UPLOAD = 50_000_000


@dataclass(frozen=True)
class Node:
    server: RunningServer
    account: CliAccount
    app_password: str
    account_id: str
    other_account_id: str
    other_blob_id: str

    @property
    def basic(self) -> httpx.BasicAuth:
        return httpx.BasicAuth(self.account.address, self.app_password)


def _session(server: RunningServer, auth: httpx.BasicAuth) -> dict[str, object]:
    with https_client(server) as client:
        response = client.get("/.well-known/jmap", auth=auth)
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    with hosted_server(tmp_path_factory, "blobs", DOMAIN) as server:
        env = server.env
        account, other = add_account(env, DOMAIN), add_account(env, DOMAIN)
        app_password = add_app_password(env, account)
        other_auth = httpx.BasicAuth(other.address, add_app_password(env, other))
        [account_id] = _session(server, httpx.BasicAuth(account.address, app_password))["accounts"]  # type: ignore[misc]
        [other_id] = _session(server, other_auth)["accounts"]  # type: ignore[misc]
        with https_client(server, auth=other_auth) as client:
            other_blob = client.post(f"/jmap/upload/{other_id}/", content=b"bob's").json()
        yield Node(server, account, app_password, account_id, other_id, other_blob["blobId"])


@pytest.fixture
def client(node: Node) -> Iterator[httpx.Client]:
    with https_client(node.server, auth=node.basic) as client:
        yield client


def _upload(client: httpx.Client, node: Node, body: bytes, media: str = "image/png") -> str:
    response = client.post(
        f"/jmap/upload/{node.account_id}/", content=body, headers={"content-type": media}
    )
    assert response.status_code == 201, response.text
    result = response.json()
    assert result == {
        "accountId": node.account_id,
        "blobId": result["blobId"],
        "type": media,
        "size": len(body),
    }
    return str(result["blobId"])


def _url(node: Node, blob_id: str, name: str = "file.bin", media: str = "image/png") -> str:
    session = _session(node.server, node.basic)
    template = str(session["downloadUrl"])
    return (
        template.replace("{accountId}", node.account_id)
        .replace("{blobId}", blob_id)
        .replace("{name}", urllib.parse.quote(name, safe=""))
        .replace("{type}", urllib.parse.quote(media, safe=""))
    )


@pytest.mark.parametrize("size", [0, 1, 65_536, 10_000_000])
def test_upload_download_round_trip(node: Node, client: httpx.Client, size: int) -> None:
    body = os.urandom(size)
    blob_id = _upload(client, node, body)
    response = client.get(_url(node, blob_id))
    assert response.status_code == 200
    assert response.content == body
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-length"] == str(size)
    assert response.headers["cache-control"] == "private, max-age=31536000, immutable"


def test_streamed_upload_without_length(node: Node, client: httpx.Client) -> None:
    parts = [os.urandom(100_000) for _ in range(7)]
    response = client.post(f"/jmap/upload/{node.account_id}/", content=iter(parts))
    assert response.status_code == 201, response.text
    assert response.json()["size"] == 700_000
    assert response.json()["type"] == "application/octet-stream"
    download = client.get(_url(node, response.json()["blobId"]))
    assert download.content == b"".join(parts)


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=0-9", 0, 10), ("bytes=65530-65545", 65530, 65546), ("bytes=-5", 199_995, 200_000),
     ("bytes=199990-", 199_990, 200_000), ("bytes=100-999999", 100, 200_000)],
)  # fmt: skip
def test_range_requests(
    node: Node, client: httpx.Client, header: str, start: int, end: int
) -> None:
    body = os.urandom(200_000)
    blob_id = _upload(client, node, body)
    response = client.get(_url(node, blob_id), headers={"range": header})
    assert response.status_code == 206
    assert response.content == body[start:end]
    assert response.headers["content-range"] == f"bytes {start}-{end - 1}/200000"


def test_unsatisfiable_range(node: Node, client: httpx.Client) -> None:
    blob_id = _upload(client, node, b"short")
    response = client.get(_url(node, blob_id), headers={"range": "bytes=10-"})
    assert response.status_code == 416
    assert response.headers["content-range"] == "bytes */5"


def test_non_ascii_name_in_content_disposition(node: Node, client: httpx.Client) -> None:
    blob_id = _upload(client, node, b"%PDF-")
    name = 'Résumé "final" 日本.pdf'
    response = client.get(_url(node, blob_id, name, "application/pdf"))
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="R_sum_ _final_ __.pdf"; ')
    encoded = disposition.split("filename*=UTF-8''")[1]
    assert urllib.parse.unquote(encoded) == name
    assert response.headers["content-type"] == "application/pdf"


def test_unknown_and_foreign_blobs_are_404(node: Node, client: httpx.Client) -> None:
    assert client.get(_url(node, "bnosuchblob0000000")).status_code == 404
    assert client.get(_url(node, node.other_blob_id)).status_code == 404
    foreign = f"/jmap/download/{node.other_account_id}/{node.other_blob_id}/x"
    assert client.get(foreign).status_code == 404
    assert client.post(f"/jmap/upload/{node.other_account_id}/", content=b"x").status_code == 404


def test_unauthenticated_requests_get_a_challenge(node: Node) -> None:
    with https_client(node.server) as anonymous:
        response = anonymous.post(f"/jmap/upload/{node.account_id}/", content=b"x")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic ")


def test_declared_size_over_the_limit_is_413_at_once(node: Node) -> None:
    # A raw request: the body is never sent, so the refusal must come from the header.
    context = ssl.create_default_context(cafile=str(node.server.cert_path))
    token = httpx.BasicAuth(node.account.address, node.app_password)
    request = next(token.auth_flow(httpx.Request("POST", node.server.base_url)))
    head = (
        f"POST /jmap/upload/{node.account_id}/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: {request.headers['authorization']}\r\n"
        f"Content-Length: {MAX_SIZE_UPLOAD + 1}\r\nConnection: close\r\n\r\n"
    )
    with (
        socket.create_connection(("127.0.0.1", node.server.http_port)) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(head.encode())
        reply = b""
        while chunk := tls.recv(65536):
            reply += chunk
    status_line, _, rest = reply.partition(b"\r\n")
    assert b" 413 " in status_line, reply
    assert LIMIT.encode() in rest and b'"maxSizeUpload"' in rest


def test_streamed_upload_over_the_limit_is_413(node: Node, client: httpx.Client) -> None:
    piece = b"\0" * 1_000_000
    pieces = [piece] * (MAX_SIZE_UPLOAD // len(piece)) + [b"!"]
    response = client.post(f"/jmap/upload/{node.account_id}/", content=iter(pieces))
    assert response.status_code == 413
    assert response.json() == {
        "type": LIMIT,
        "status": 413,
        "detail": f"an upload may be at most {MAX_SIZE_UPLOAD} octets",
        "limit": "maxSizeUpload",
    }
    blob_files = list((node.server.data_dir / "blobs").rglob("*.tmp"))
    assert blob_files == []


def test_blob_copy(node: Node, client: httpx.Client) -> None:
    blob_id = _upload(client, node, b"copy me")
    calls = [
        ["Blob/copy", {"fromAccountId": node.account_id, "accountId": node.account_id,
                       "blobIds": [blob_id, "bmissing000000000"]}, "0"],
        ["Blob/copy", {"fromAccountId": node.other_account_id, "accountId": node.account_id,
                       "blobIds": [blob_id]}, "1"],
    ]  # fmt: skip
    response = client.post("/jmap/api/", json={"using": [CORE], "methodCalls": calls})
    assert response.status_code == 200, response.text
    first, second = response.json()["methodResponses"]
    assert first == [
        "Blob/copy",
        {
            "fromAccountId": node.account_id,
            "accountId": node.account_id,
            "copied": {blob_id: blob_id},
            "notCopied": {"bmissing000000000": {"type": "notFound",
                                                "description": "no blob with that id"}},
        },
        "0",
    ]  # fmt: skip
    assert second[0] == "error" and second[2] == "1"
    assert second[1]["type"] == "fromAccountNotFound"


@pytest.mark.parametrize("name", ["a/b.txt", "100% sure?.txt", "#hash&amp.txt"])
def test_names_with_url_delimiters(node: Node, client: httpx.Client, name: str) -> None:
    blob_id = _upload(client, node, b"named")
    response = client.get(_url(node, blob_id, name))
    assert response.status_code == 200, response.text
    encoded = response.headers["content-disposition"].split("filename*=UTF-8''")[1]
    assert urllib.parse.unquote(encoded) == name


ATTACHED = os.urandom(3000)
MULTIPART = (
    b"From: carol@example.com\r\nTo: alice@example.org\r\nSubject: Report\r\n"
    b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="xx"\r\n\r\n'
    b"--xx\r\nContent-Type: text/plain\r\n\r\nSee the attachment.\r\n"
    b"--xx\r\nContent-Type: application/octet-stream\r\n"
    b'Content-Disposition: attachment; filename="data.bin"\r\n'
    b"Content-Transfer-Encoding: base64\r\n\r\n"
    + base64.encodebytes(ATTACHED).replace(b"\n", b"\r\n")
    + b"--xx--\r\n"
)


def _api(client: httpx.Client, *calls: list[Any]) -> list[Any]:
    using = [CORE, "urn:ietf:params:jmap:mail"]
    response = client.post("/jmap/api/", json={"using": using, "methodCalls": list(calls)})
    assert response.status_code == 200, response.text
    return list(response.json()["methodResponses"])


def test_download_of_an_attachment_part(node: Node, client: httpx.Client) -> None:
    blob_id = _upload(client, node, MULTIPART, "message/rfc822")
    [[_, boxes, _]] = _api(client, ["Mailbox/get", {"accountId": node.account_id}, "0"])
    inbox = next(m["id"] for m in boxes["list"] if m["role"] == "inbox")
    emails = {"e": {"blobId": blob_id, "mailboxIds": {inbox: True}}}
    [[_, imported, _]] = _api(
        client, ["Email/import", {"accountId": node.account_id, "emails": emails}, "0"]
    )
    email_id = imported["created"]["e"]["id"]
    get = {"accountId": node.account_id, "ids": [email_id], "properties": ["attachments"]}
    [[_, got, _]] = _api(client, ["Email/get", get, "0"])
    [attachment] = got["list"][0]["attachments"]
    assert attachment["blobId"] == f"{blob_id}_2" and attachment["size"] == len(ATTACHED)

    response = client.get(_url(node, attachment["blobId"], "data.bin", "application/x-data"))
    assert response.status_code == 200, response.text
    assert response.content == ATTACHED
    assert response.headers["content-type"] == "application/x-data"
    assert response.headers["content-length"] == str(len(ATTACHED))
    ranged = client.get(_url(node, attachment["blobId"]), headers={"range": "bytes=100-199"})
    assert ranged.status_code == 206 and ranged.content == ATTACHED[100:200]
    assert ranged.headers["content-range"] == f"bytes 100-199/{len(ATTACHED)}"
    assert client.get(_url(node, f"{blob_id}_7")).status_code == 404
    assert client.get(_url(node, f"{node.other_blob_id}_1")).status_code == 404

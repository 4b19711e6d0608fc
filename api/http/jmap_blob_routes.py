"""JMAP binary data over HTTP (RFC 8620 6.1 upload, 6.2 download).

Both stream: an upload is encrypted into the blob store as it arrives, a download is
decrypted a piece at a time, and Range requests (RFC 9110 14) read only the chunks they
cover. A body part's blob (`{blob}_{partId}`, RFC 8621 4.1.4) is decoded from its message
in memory, bounded by the message's size. Authentication is the same as the API
endpoint's (Bearer, cookie or Basic).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

import msgspec
from litestar import Controller, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import PathParameter, QueryParameter
from litestar.response import Stream

from api.core.blob_reader import OpenBlob
from api.core.part_blobs import split_part_blob_id
from api.http.byte_ranges import RangeNotSatisfiableError, parse_range
from api.http.jmap_routes import PROBLEM, JmapApiDep
from api.http.principal import AnyRequest, ServicesDep, resolve_principal
from api.jmap.blob_upload import UploadResponse
from api.jmap.errors import RequestError
from api.store.ids import AccountId

__all__ = ["BlobController", "content_disposition"]

_OCTETS = "application/octet-stream"
# type/subtype with optional parameters; anything else (CR, LF, quotes) is not echoed.
_MEDIA_TYPE = re.compile(r"[\w!#$&^.+-]+/[\w!#$&^.+-]+(\s*;\s*[\w!#$&^.+-]+=[\w!#$&^.+-]+)*")


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback and the exact name (RFC 6266 4.3, RFC 8187)."""
    fallback = "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\' else "_" for c in name)
    exact = urllib.parse.quote(name, safe="!#$&+-.^_`|~")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{exact}"


def _media_type(value: str | None) -> str:
    return value if value and _MEDIA_TYPE.fullmatch(value) else _OCTETS


async def _pieces(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    async for piece in rest:
        yield piece


async def _nothing() -> AsyncIterator[bytes]:
    return
    yield


def _owned(account_id: str, caller: AccountId) -> AccountId:
    # Another user's account and a missing one look the same: 404, never 403.
    if account_id != caller:
        raise NotFoundException("no such account")
    return caller


class BlobController(Controller):
    tags = ("jmap",)

    @post(
        "/jmap/upload/{account_id:str}",
        summary="Upload a blob (RFC 8620 6.1)",
        status_code=201,
        # maxSizeUpload is enforced while the body streams into the blob store.
        request_max_body_size=None,
        responses={
            201: ResponseSpec(
                UploadResponse, description="The stored blob (6.1)", generate_examples=False
            )
        },
    )
    async def upload(
        self,
        request: AnyRequest,
        services: ServicesDep,
        jmap: JmapApiDep,
        account_id: Annotated[str, PathParameter()],
    ) -> Response[bytes]:
        principal = await resolve_principal(request, services, challenge=True)
        owner = _owned(account_id, principal.unlocked.account_id)
        content_type = request.headers.get("content-type") or _OCTETS
        try:
            response = await jmap.uploads.upload(
                owner, content_type, request.stream(), request.content_length
            )
        except RequestError as error:
            body = msgspec.json.encode(error.problem())
            return Response(body, status_code=error.status, media_type=PROBLEM)
        return Response(
            msgspec.json.encode(response), status_code=201, media_type="application/json"
        )

    @get(
        "/jmap/download/{account_id:str}/{blob_id:str}/{name:path}",
        summary="Download a blob (RFC 8620 6.2); supports one byte Range",
    )
    async def download(
        self,
        request: AnyRequest,
        services: ServicesDep,
        account_id: Annotated[str, PathParameter()],
        blob_id: Annotated[str, PathParameter()],
        # A path parameter: routing sees %2F decoded, so a name may hold "/".
        name: Annotated[Path, PathParameter()],
        media_type: Annotated[str | None, QueryParameter(name="type")] = None,
    ) -> Stream:
        principal = await resolve_principal(request, services, challenge=True)
        _owned(account_id, principal.unlocked.account_id)
        blob: OpenBlob | bytes
        if split_part_blob_id(blob_id) is None:
            blob = await services.blobs.open(principal.unlocked, blob_id)
        else:
            blob = await services.part_blobs.read(principal.unlocked, blob_id)
        size = len(blob) if isinstance(blob, bytes) else blob.size
        headers = {
            "Content-Disposition": content_disposition(str(name).lstrip("/")),
            # A blob id names immutable content, but only this user may see it.
            "Cache-Control": "private, max-age=31536000, immutable",
            "Accept-Ranges": "bytes",
            # Uploaded HTML must never run as our origin, even if opened inline.
            "Content-Security-Policy": "sandbox",
        }
        try:
            wanted = parse_range(request.headers.get("range"), size)
        except RangeNotSatisfiableError:
            headers["Content-Range"] = f"bytes */{size}"
            return Stream(iter([b""]), status_code=416, headers=headers)
        start, length, status = 0, size, 200
        if wanted is not None:
            start, length, status = wanted.start, wanted.length, 206
            headers["Content-Range"] = wanted.content_range(size)
        headers["Content-Length"] = str(length)
        return Stream(
            await _body(blob, start, length),
            status_code=status,
            media_type=_media_type(media_type),
            headers=headers,
        )


async def _body(blob: OpenBlob | bytes, start: int, length: int) -> AsyncIterator[bytes]:
    """Decrypt the first piece before any header goes out, so a bad key or tampered blob is
    an error response rather than a cut-off 200."""
    if isinstance(blob, bytes):
        return _pieces(blob[start : start + length], _nothing())
    rest = blob.stream(start, length)
    first = await anext(rest, b"")
    return _pieces(first, rest)

"""The Range header parser (RFC 9110 14.1.2, 14.2): a table of header, size and result."""

from __future__ import annotations

import pytest

from api.http.byte_ranges import ByteRange, RangeNotSatisfiableError, parse_range
from api.http.jmap_blob_routes import content_disposition

CASES: list[tuple[str | None, int, ByteRange | None]] = [
    (None, 100, None),
    ("bytes=0-9", 100, ByteRange(0, 10)),
    ("bytes=90-", 100, ByteRange(90, 100)),
    ("bytes=-10", 100, ByteRange(90, 100)),
    ("bytes=-500", 100, ByteRange(0, 100)),
    ("bytes=10-5000", 100, ByteRange(10, 100)),
    ("BYTES = 1 - 2", 100, ByteRange(1, 3)),
    ("bytes=0-1,5-6", 100, None),  # several ranges: served whole
    ("items=0-1", 100, None),
    ("bytes=9-3", 100, None),
    ("bytes=-", 100, None),
    ("garbage", 100, None),
    # A digit run past Python's int() limit is ignored, not a 500.
    ("bytes=" + "9" * 5000 + "-", 100, None),
    ("bytes=\u0661-\u0662", 100, None),  # Arabic-Indic digits are not HTTP digits
]


@pytest.mark.parametrize(("header", "size", "expected"), CASES)
def test_parse_range(header: str | None, size: int, expected: ByteRange | None) -> None:
    assert parse_range(header, size) == expected


@pytest.mark.parametrize(
    ("header", "size"), [("bytes=100-", 100), ("bytes=-0", 100), ("bytes=0-", 0)]
)
def test_unsatisfiable(header: str, size: int) -> None:
    with pytest.raises(RangeNotSatisfiableError):
        parse_range(header, size)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.txt", "attachment; filename=\"a.txt\"; filename*=UTF-8''a.txt"),
        ("ü b.txt", "attachment; filename=\"_ b.txt\"; filename*=UTF-8''%C3%BC%20b.txt"),
        ('x"\\\r\n.txt', "attachment; filename=\"x____.txt\"; filename*=UTF-8''x%22%5C%0D%0A.txt"),
    ],
)
def test_content_disposition(name: str, expected: str) -> None:
    assert content_disposition(name) == expected

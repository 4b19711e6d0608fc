"""compose_email (RFC 8621 4.6): create objects round-trip through parse_email; invalid
ones raise ComposeError naming the property."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.mime.compose import ComposeError, compose_email, referenced_blob_ids
from api.mime.email_view import ParsedEmail, parse_email
from api.mime.headers import header_value

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
FORWARDED = b"From: bob@example.net\r\nSubject: inner\r\n\r\nCaf\xc3\xa9 \xff\r\n"
BLOBS = {"bpng": PNG, "bmsg": FORWARDED, "bpdf": b"%PDF-1.4\n" + bytes(range(256))}
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def compose(create: dict[str, Any]) -> ParsedEmail:
    return parse_email(compose_email(create, BLOBS.get, hostname="mx.example.org", now=NOW))


def text(parsed: ParsedEmail, part_id: str | None) -> str:
    assert part_id is not None
    return parsed.body_values([part_id])[part_id].value


def normal(value: str) -> str:
    """What set_content makes of text: CRLF line breaks and a final line break."""
    return "".join(line + "\r\n" for line in value.replace("\r\n", "\n").split("\n"))


def test_headers_round_trip_with_non_ascii_encoded() -> None:
    raw = compose_email(
        {
            "from": [{"name": "José Núñez, Jr.", "email": "jose@example.com"}],
            "to": [{"name": None, "email": "a@example.org"}, {"email": "b@example.org"}],
            "cc": [{"name": "Ünïcode", "email": "c@example.org"}],
            "replyTo": [{"name": "Lists", "email": "l@example.org"}],
            "subject": "Grüße — " + "long words " * 12,
            "sentAt": "2026-02-03T04:05:06+01:00",
            "messageId": ["id1@example.com"],
            "inReplyTo": ["p@example.com"],
            "references": [f"r{i}.{'x' * 30}@example.com" for i in range(4)],
            "header:List-Unsubscribe:asURLs": ["mailto:u@example.com", "https://x.test/u"],
            "header:X-Priority": " 1",
            "header:X-Note:asText": "Nötiz",
            "header:Comments:asText:all": ["one", "two"],
            "header:X-Team:asGroupedAddresses": [
                {"name": "Team", "addresses": [{"name": "Ann", "email": "ann@x.test"}]}
            ],
            "textBody": [{"partId": "t"}],
            "bodyValues": {"t": {"value": "hi"}},
            "keywords": {"$draft": True},
            "mailboxIds": {"m1": True},
        },
        BLOBS.get,
        hostname="mx.example.org",
    )
    assert raw.isascii()
    parsed = parse_email(raw)
    assert parsed.from_ is not None and parsed.from_[0].name == "José Núñez, Jr."
    assert [a.email for a in parsed.to or []] == ["a@example.org", "b@example.org"]
    assert parsed.cc is not None and parsed.cc[0].name == "Ünïcode"
    assert parsed.subject == ("Grüße — " + "long words " * 12).strip()
    assert parsed.sent_at == "2026-02-03T03:05:06Z"
    assert parsed.message_id == ["id1@example.com"]
    assert parsed.references == [f"r{i}.{'x' * 30}@example.com" for i in range(4)]
    top = parsed.raw_headers
    assert header_value(top, "List-Unsubscribe", "URLs", False) == [
        "mailto:u@example.com",
        "https://x.test/u",
    ]
    assert header_value(top, "X-Priority", "Raw", False) == " 1"
    assert header_value(top, "X-Note", "Text", False) == "Nötiz"
    assert header_value(top, "Comments", "Text", True) == ["one", "two"]
    assert all(len(line) <= 78 for line in raw.split(b"\r\n"))


def test_date_and_message_id_are_generated_when_absent() -> None:
    raw = compose_email({}, BLOBS.get, hostname="mx.example.org", now=NOW)
    parsed = parse_email(raw)
    assert parsed.sent_at == "2026-03-01T12:00:00Z"
    [message_id] = parsed.message_id or []
    assert message_id.endswith("@mx.example.org") and len(message_id) > 30
    assert parsed.text_body[0].type == "text/plain" and text(parsed, "1") == "\r\n"
    again = compose_email({}, BLOBS.get, hostname="mx.example.org", now=NOW)
    assert parse_email(again).message_id != parsed.message_id


BODIES = [
    # (create body properties, expected textBody types, htmlBody types, attachment types)
    (
        {"textBody": [{"partId": "t"}]},
        "text/plain",
        ["text/plain"],
        ["text/plain"],
        [],
    ),
    (
        {"htmlBody": [{"partId": "h", "type": "text/html"}]},
        "text/html",
        ["text/html"],
        ["text/html"],
        [],
    ),
    (
        {"textBody": [{"partId": "t"}], "htmlBody": [{"partId": "h"}]},
        "multipart/alternative",
        ["text/plain"],
        ["text/html"],
        [],
    ),
    (
        {
            "textBody": [{"partId": "t"}],
            "attachments": [{"blobId": "bpdf", "type": "application/pdf", "name": "q3.pdf"}],
        },
        "multipart/mixed",
        ["text/plain"],
        ["text/plain"],
        ["application/pdf"],
    ),
    (
        {
            "textBody": [{"partId": "t"}],
            "htmlBody": [{"partId": "h"}],
            "attachments": [
                {"blobId": "bpng", "type": "image/png", "cid": "logo@x", "disposition": "inline"},
                {"blobId": "bmsg", "type": "message/rfc822", "name": "Fwd: inner.eml"},
            ],
        },
        "multipart/mixed",
        ["text/plain"],
        ["text/html"],
        ["image/png", "message/rfc822"],
    ),
    (
        {
            "bodyStructure": {
                "type": "multipart/mixed",
                "subParts": [
                    {"partId": "t", "type": "text/plain", "header:X-Part:asText": "é"},
                    {"blobId": "bpdf", "type": "application/pdf", "name": "résumé.pdf"},
                ],
            }
        },
        "multipart/mixed",
        ["text/plain"],
        ["text/plain"],
        ["application/pdf"],
    ),
]


@pytest.mark.parametrize(("body", "root", "texts", "htmls", "attached"), BODIES)
def test_body_shapes_round_trip(
    body: dict[str, Any], root: str, texts: list[str], htmls: list[str], attached: list[str]
) -> None:
    values = {"t": {"value": "Plain 🙂\nsecond line"}, "h": {"value": "<p>Ça va?</p>"}}
    used = {k: v for k, v in values.items() if f'"{k}"' in repr(body).replace("'", '"')}
    parsed = compose({**body, "bodyValues": used})
    assert parsed.body_structure.type == root
    assert [p.type for p in parsed.text_body] == texts
    assert [p.type for p in parsed.html_body] == htmls
    assert [p.type for p in parsed.attachments] == attached
    for part in parsed.text_body + parsed.html_body:
        source = values["t" if part.type == "text/plain" else "h"]["value"]
        assert text(parsed, part.part_id) == normal(source)
    by_type = {"application/pdf": "bpdf", "image/png": "bpng", "message/rfc822": "bmsg"}
    for part in parsed.attachments:
        assert part.part_id is not None
        assert parsed.part_bytes(part.part_id) == BLOBS[by_type[part.type]]


def test_attachment_names_cids_and_inline_related() -> None:
    parsed = compose(
        {
            "htmlBody": [{"partId": "h"}],
            "bodyValues": {"h": {"value": '<img src="cid:logo@x">'}},
            "attachments": [
                {"blobId": "bpng", "type": "image/png", "cid": "logo@x", "disposition": "inline"},
                {"blobId": "bpdf", "type": "application/pdf", "name": "Résumé «final».pdf"},
            ],
        }
    )
    mixed = parsed.body_structure
    assert mixed.sub_parts is not None
    related = mixed.sub_parts[0]
    assert related.type == "multipart/related"
    image, pdf = parsed.attachments
    assert (image.cid, image.disposition) == ("logo@x", "inline")
    assert (pdf.name, pdf.disposition) == ("Résumé «final».pdf", "attachment")
    assert parsed.has_attachment


def text_body(values: Any = None, **part: Any) -> dict[str, Any]:
    """A textBody create object with partId "t"; `values` replaces its bodyValues."""
    return {
        "textBody": [{"partId": "t", **part}],
        "bodyValues": {"t": {"value": ""}} if values is None else values,
    }


ERRORS = [
    ({"from": [{"email": "a@x"}], "header:From:asAddresses": []},
     ["from", "header:From:asAddresses"]),
    ({"header:Subject": " a", "header:subject:asText": "b"},
     ["header:Subject", "header:subject:asText"]),
    ({"header:Content-Type": " text/html"}, ["header:Content-Type"]),
    ({"subject": "Hi\r\nBcc: victim@x"}, ["subject"]),
    ({"to": [{"name": "Eve\nBcc: x@y", "email": "e@x"}]}, ["to"]),
    ({"header:X-A": " ok\r\nX-Injected: 1"}, ["header:X-A"]),
    ({"messageId": ["a@b>\r\nX: y"]}, ["messageId"]),
    ({"header:X-Bad Name": " v"}, ["header:X-Bad Name"]),
    ({"header:From:asText": "x"}, ["header:From:asText"]),
    ({"header:X-A:asColour": "x"}, ["header:X-A:asColour"]),
    ({"headers": [{"name": "X-A", "value": " b"}]}, ["headers"]),
    ({"id": "e1"}, ["id"]),
    ({"colour": "blue"}, ["colour"]),
    ({"sentAt": "yesterday"}, ["sentAt"]),
    ({"sentAt": "2026-01-01T00:00:00"}, ["sentAt"]),
    ({"to": [{"name": "x"}]}, ["to"]),
    ({**text_body(), "bodyStructure": {"partId": "t"}}, ["bodyStructure"]),
    ({"textBody": [{"partId": "a"}, {"partId": "b"}]}, ["textBody"]),
    (text_body(type="text/html"), ["textBody/0/type"]),
    (text_body({"t": {"value": ""}, "u": {"value": ""}}), ["bodyValues/u"]),
    (text_body({}), ["textBody/0"]),
    (text_body({"t": {"value": "x", "isTruncated": True}}), ["bodyValues/t/isTruncated"]),
    (text_body({"t": {"value": "x", "isEncodingProblem": True}}),
     ["bodyValues/t/isEncodingProblem"]),
    (text_body(charset="latin1"), ["textBody/0"]),
    (text_body(blobId="bpng"), ["textBody/0"]),
    ({"attachments": [{"blobId": "bnone"}]}, ["attachments/0/blobId"]),
    ({"attachments": [{"blobId": "bpng", "header:Content-Transfer-Encoding": " 8bit"}]},
     ["attachments/0/header:Content-Transfer-Encoding"]),
    ({"attachments": [{"blobId": "bpng", "type": "image"}]}, ["attachments/0/type"]),
    ({"attachments": [{"blobId": "bpng", "name": "a\r\nb"}]}, ["attachments/0/name"]),
    ({"bodyStructure": {"type": "multipart/mixed"}}, ["bodyStructure/subParts"]),
    ({"subject": "x", "bodyStructure": {"blobId": "bpng", "header:Subject": " y"}},
     ["bodyStructure"]),
]  # fmt: skip


@pytest.mark.parametrize(("create", "properties"), ERRORS)
def test_invalid_create_objects_name_the_property(
    create: dict[str, Any], properties: list[str]
) -> None:
    with pytest.raises(ComposeError) as raised:
        compose_email(create, BLOBS.get, hostname="mx.example.org")
    assert raised.value.properties == properties, raised.value.message


def test_referenced_blob_ids_walks_every_body_property() -> None:
    create = {
        "bodyStructure": {"type": "multipart/mixed", "subParts": [{"blobId": "b1"}, "junk"]},
        "attachments": [{"blobId": "b2"}, {"blobId": "b1"}, {"blobId": 7}],
    }
    assert referenced_blob_ids(create) == ["b1", "b2"]


_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85"),
    max_size=200,
)
_NAME = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=40
)
_LOCAL = st.from_regex(r"[a-z0-9][a-z0-9.+_-]{0,15}", fullmatch=True).filter(
    lambda s: ".." not in s and not s.endswith(".")
)


@settings(max_examples=150, deadline=None)
@given(
    subject=_TEXT,
    sender=_NAME,
    local=_LOCAL,
    body=_TEXT,
    html=st.none() | _TEXT,
    attachment=st.none() | st.tuples(_NAME, st.binary(max_size=300)),
)
def test_round_trip_properties(
    subject: str,
    sender: str,
    local: str,
    body: str,
    html: str | None,
    attachment: tuple[str, bytes] | None,
) -> None:
    create: dict[str, Any] = {
        "subject": subject,
        "from": [{"name": sender, "email": f"{local}@example.com"}],
        "textBody": [{"partId": "t"}],
        "bodyValues": {"t": {"value": body}},
    }
    if html is not None:
        create["htmlBody"] = [{"partId": "h"}]
        create["bodyValues"]["h"] = {"value": html}
    blobs = {}
    if attachment is not None:
        blobs["bfile"] = attachment[1]
        create["attachments"] = [
            {"blobId": "bfile", "type": "application/x-test", "name": attachment[0]}
        ]
    parsed = parse_email(compose_email(create, blobs.get, hostname="h.example"))
    assert parsed.subject == " ".join(subject.split()) or parsed.subject == subject.strip()
    assert parsed.from_ is not None and parsed.from_[0].email == f"{local}@example.com"
    # Whitespace only: the stdlib address parser keeps the space between two adjacent
    # encoded-words of a display name (RFC 2047 6.2 says drop it), so a long name that
    # folds mid-word can come back with a space inside.
    assert "".join((parsed.from_[0].name or "").split()) == "".join(sender.split())
    assert text(parsed, parsed.text_body[0].part_id) == normal(body)
    if html is not None:
        assert text(parsed, parsed.html_body[0].part_id) == normal(html)
    if attachment is not None:
        [part] = parsed.attachments
        assert part.name == attachment[0].strip() or part.name == attachment[0]
        assert part.type == "application/x-test"
        assert part.part_id is not None and parsed.part_bytes(part.part_id) == attachment[1]

"""Email/query with full-text conditions against a brute-force reference (hypothesis).

A generated mailbox of words drawn from a small vocabulary (mixed case, diacritics,
shared prefixes) is imported; random filter trees mix text/subject/body/from conditions
(words, "phrases", prefixes) with keywords, mailboxes and dates under AND/OR/NOT, sorted
by receivedAt either way with paging. The reference tokenises each field with the same
analyzer and matches every group in Python: the ids must be the same, in the same order.
A few emails are destroyed (still in the index, recoverable) and one is moved. Trees of
text conditions alone with a limit are answered by the index alone (api.core.
ranked_query); a second test draws only those and checks that path answered them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.email_corpus import utc
from support.jmap_client import Client, make_client

from api.search.queries import groups
from api.search.schema import analyzer
from api.services import Services

VOCABULARY = [
    "Invoice",
    "invoices",
    "café",
    "Cafe",
    "naïve",
    "budget",
    "budgets",
    "report",
    "reporting",
    "zebra",
    "Zürich",
    "meeting",
    "meet",
    "e-mail",
    "lunch",
    "Lunchbox",
]
NAMES = [("Bob", "bob@example.net"), ("Carol", "carol@example.com"), ("Zoë", "zoe@cafe.org")]
BASE = 1_800_000_000
ANALYZER = analyzer("")


@dataclass
class Mail:
    id: str
    received_at: int
    seen: bool
    mailbox: str
    fields: dict[str, list[str]]
    destroyed: bool = False


def _tokens(text: str) -> list[str]:
    return list(ANALYZER.analyze(text))


def _has(tokens: list[str], want: list[str], prefix: bool) -> bool:
    for start in range(len(tokens) - len(want) + 1):
        window = tokens[start : start + len(want)]
        if window[:-1] != want[:-1]:
            continue
        last, wanted = window[-1], want[-1]
        if last == wanted or (prefix and last.startswith(wanted)):
            return True
    return False


def _text_match(mail: Mail, field: str, value: str) -> bool:
    fields = list(mail.fields) if field == "text" else [field]
    return all(
        any(_has(mail.fields[f], tokens, prefix) for f in fields)
        for tokens, prefix in groups(value, ANALYZER)
    )


def reference(node: dict[str, Any], mail: Mail) -> bool:
    return not mail.destroyed and _reference(node, mail)


def _reference(node: dict[str, Any], mail: Mail) -> bool:
    if "operator" in node:
        results = [_reference(c, mail) for c in node["conditions"]]
        return {"AND": all, "OR": any}.get(node["operator"], lambda r: not any(r))(results)
    [(name, value)] = node.items()
    if name in ("text", "subject", "body", "from"):
        return _text_match(mail, name, value)
    if name == "hasKeyword":
        return mail.seen
    if name == "inMailbox":
        return mail.mailbox == value
    assert name == "after"
    return mail.received_at >= BASE + value


async def _build(services: Services) -> tuple[Client, list[Mail], dict[str, str]]:
    client = await make_client(services)
    boxes = {"inbox": await client.mailbox("inbox"), "archive": await client.mailbox("archive")}
    rng = random.Random(6)
    mails = []
    for n in range(30):
        subject = " ".join(rng.choices(VOCABULARY, k=rng.randint(1, 3)))
        body = " ".join(rng.choices(VOCABULARY, k=rng.randint(0, 8)))
        name, address = rng.choice(NAMES)
        raw = (
            f"From: {name} <{address}>\r\nTo: Alice <alice@example.org>\r\n"
            f"Subject: {subject}\r\nMessage-ID: <m{n}@x>\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
        ).encode()
        seen = rng.random() < 0.5
        box = rng.choice(["inbox", "archive"])
        received = BASE + rng.randint(0, 10) * 60  # ties, to check the id tie-break
        created = await client.import_email(
            raw, box, receivedAt=utc(received), keywords={"$seen": True} if seen else {}
        )
        mails.append(
            Mail(
                created["id"],
                received,
                seen,
                boxes[box],
                {
                    "subject": _tokens(subject),
                    "from": _tokens(f"{name} {address}"),
                    "to": _tokens("Alice alice@example.org"),
                    "cc": [],
                    "bcc": [],
                    "body": _tokens(body),
                    "attachments": [],
                },
            )
        )
    # Destroyed mail stays in the index until purged; it must never be found.
    doomed = [mails[3], mails[11], mails[20], mails[27]]
    got = await client.one("Email/set", destroy=[m.id for m in doomed])
    assert sorted(got["destroyed"]) == sorted(m.id for m in doomed)
    for mail in doomed:
        mail.destroyed = True
    moved = mails[5]
    target = boxes["archive"] if moved.mailbox == boxes["inbox"] else boxes["inbox"]
    got = await client.one("Email/set", update={moved.id: {"mailboxIds": {target: True}}})
    assert moved.id in got["updated"]
    moved.mailbox = target
    return client, mails, boxes


@pytest.fixture
async def mailbox(services: Services) -> tuple[Client, list[Mail], dict[str, str]]:
    return await _build(services)


def _words() -> st.SearchStrategy[str]:
    word = st.sampled_from([*VOCABULARY, "cafe", "ZEBRA", "meetings", "bob", "example"])
    prefix = word.map(lambda w: w[: max(1, len(w) // 2)])
    phrase = st.lists(word, min_size=2, max_size=2).map(lambda ws: '"' + " ".join(ws) + '"')
    return st.lists(st.one_of(word, prefix, phrase), min_size=1, max_size=2).map(" ".join)


def _texts() -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda field, value: {field: value},
        st.sampled_from(["text", "subject", "body", "from"]),
        _words(),
    )


def _text_trees() -> st.SearchStrategy[dict[str, Any]]:
    return st.recursive(
        _texts(),
        lambda children: st.builds(
            lambda op, cs: {"operator": op, "conditions": cs},
            st.sampled_from(["AND", "OR", "NOT"]),
            st.lists(children, min_size=1, max_size=3),
        ),
        max_leaves=4,
    )


def _filters(box_ids: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    text = _texts()
    plain = st.one_of(
        st.just({"hasKeyword": "$seen"}),
        st.sampled_from(box_ids).map(lambda b: {"inMailbox": b}),
        st.integers(0, 600).map(lambda s: {"after": s}),
    )
    leaf = st.one_of(text, text, plain)
    return st.recursive(
        leaf,
        lambda children: st.builds(
            lambda op, cs: {"operator": op, "conditions": cs},
            st.sampled_from(["AND", "OR", "NOT"]),
            st.lists(children, min_size=1, max_size=3),
        ),
        max_leaves=5,
    )


def _wire(node: dict[str, Any]) -> dict[str, Any]:
    if "operator" in node:
        return {**node, "conditions": [_wire(c) for c in node["conditions"]]}
    if "after" in node:
        return {"after": utc(BASE + node["after"])}
    return node


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
async def test_random_text_queries_match_the_reference(
    mailbox: tuple[Client, list[Mail], dict[str, str]], data: Any
) -> None:
    client, mails, boxes = mailbox
    tree = data.draw(_filters(list(boxes.values())))
    ascending = data.draw(st.booleans())
    position = data.draw(st.integers(0, 5))
    limit = data.draw(st.one_of(st.none(), st.integers(1, 10)))
    matching = [m for m in mails if reference(tree, m)]
    matching.sort(key=lambda m: (m.received_at, m.id), reverse=not ascending)
    expected = [m.id for m in matching]
    got = await client.one(
        "Email/query",
        filter=_wire(tree),
        sort=[{"property": "receivedAt", "isAscending": ascending}],
        position=position,
        limit=limit,
        calculateTotal=True,
    )
    end = None if limit is None else position + limit
    assert got["ids"] == expected[position:end], tree
    assert got["total"] == len(expected)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
async def test_text_only_queries_are_ranked_by_the_index_alone(
    services: Services,
    mailbox: tuple[Client, list[Mail], dict[str, str]],
    data: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, mails, _ = mailbox
    ranked = services.search.ranked
    calls: list[int] = []

    async def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["count"])
        return await ranked(*args, **kwargs)

    monkeypatch.setattr(services.search, "ranked", counted)
    tree = data.draw(_text_trees())
    ascending = data.draw(st.booleans())
    position = data.draw(st.integers(0, 8))
    limit = data.draw(st.integers(0, 12))
    matching = [m for m in mails if reference(tree, m)]
    matching.sort(key=lambda m: (m.received_at, m.id), reverse=not ascending)
    got = await client.one(
        "Email/query",
        filter=tree,
        sort=[{"property": "receivedAt", "isAscending": ascending}],
        position=position,
        limit=limit,
        calculateTotal=True,
    )
    assert got["ids"] == [m.id for m in matching][position : position + limit], tree
    assert got["total"] == len(matching)
    assert got["position"] == position
    assert calls == [position + limit], "the index alone should have answered"

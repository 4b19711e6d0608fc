"""Email/query and Email/queryChanges (RFC 8621 4.4, 4.5; RFC 8620 5.5, 5.6) through the
in-process caller on both database backends, checked against a Python model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.email_corpus import (
    BASE,
    CorpusEmail,
    build_corpus,
    destroy,
    model,
    move,
    raw_message,
    set_keywords,
    utc,
)
from support.jmap_client import Client, make_client

from api.services import Services

Corpus = tuple[Client, list[CorpusEmail], dict[str, str]]


@pytest.fixture
async def corpus(services: Services) -> Corpus:
    client = await make_client(services)
    emails, boxes = await build_corpus(client)
    return client, emails, boxes


async def ids(client: Client, **arguments: Any) -> list[str]:
    got = await client.one("Email/query", **arguments)
    return list(got["ids"])


# --- a Python reference for the plaintext conditions and sorts ----------------------------


def _threads(emails: list[CorpusEmail]) -> dict[str, list[CorpusEmail]]:
    threads: dict[str, list[CorpusEmail]] = {}
    for email in emails:
        threads.setdefault(email.thread_id, []).append(email)
    return threads


def reference_match(
    node: dict[str, Any], email: CorpusEmail, threads: dict[str, list[CorpusEmail]]
) -> bool:
    if "operator" in node:
        results = [reference_match(c, email, threads) for c in node["conditions"]]
        return {"AND": all, "OR": any}.get(node["operator"], lambda r: not any(r))(results)
    thread = threads[email.thread_id]
    checks: dict[str, Callable[[Any], bool]] = {
        "inMailbox": lambda v: v in email.mailboxes,
        "inMailboxOtherThan": lambda v: bool(email.mailboxes - set(v)),
        "before": lambda v: utc(email.received_at) < v,
        "after": lambda v: utc(email.received_at) >= v,
        "minSize": lambda v: email.size >= v,
        "maxSize": lambda v: email.size < v,
        "hasKeyword": lambda v: v in email.keywords,
        "notKeyword": lambda v: v not in email.keywords,
        "allInThreadHaveKeyword": lambda v: all(v in e.keywords for e in thread),
        "someInThreadHaveKeyword": lambda v: any(v in e.keywords for e in thread),
        "noneInThreadHaveKeyword": lambda v: not any(v in e.keywords for e in thread),
    }
    return all(checks[k](v) for k, v in node.items())


def _sort_value(
    comparator: dict[str, Any], email: CorpusEmail, threads: dict[str, list[CorpusEmail]]
) -> Any:
    prop, keyword = comparator["property"], comparator.get("keyword")
    thread = threads[email.thread_id]
    return {
        "receivedAt": lambda: email.received_at,
        "size": lambda: email.size,
        "sentAt": lambda: 0,  # every corpus message has the same Date
        "hasKeyword": lambda: keyword in email.keywords,
        "allInThreadHaveKeyword": lambda: all(keyword in e.keywords for e in thread),
        "someInThreadHaveKeyword": lambda: any(keyword in e.keywords for e in thread),
    }[prop]()


def reference_query(
    emails: list[CorpusEmail],
    filter_: dict[str, Any] | None,
    sort: list[dict[str, Any]],
    collapse: bool = False,
) -> list[str]:
    threads = _threads(emails)
    hits = [e for e in emails if filter_ is None or reference_match(filter_, e, threads)]
    sort = sort or [{"property": "receivedAt", "isAscending": False}]
    hits.sort(key=lambda e: e.id, reverse=not sort[-1].get("isAscending", True))
    for comparator in reversed(sort):
        hits.sort(
            key=lambda e, c=comparator: _sort_value(c, e, threads),  # type: ignore[misc]
            reverse=not comparator.get("isAscending", True),
        )
    if collapse:
        seen: set[str] = set()
        hits = [e for e in hits if not (e.thread_id in seen or seen.add(e.thread_id))]
    return [e.id for e in hits]


# --- conditions, operators, sorts ----------------------------------------------------------


async def test_each_plaintext_condition_matches_the_model(corpus: Corpus) -> None:
    client, emails, boxes = corpus
    inbox, archive = boxes["inbox"], boxes["archive"]
    sizes = sorted(e.size for e in emails)
    conditions: list[dict[str, Any]] = [
        {},
        {"inMailbox": inbox},
        {"inMailbox": archive},
        {"inMailbox": "mnothere"},
        {"inMailboxOtherThan": [inbox]},
        {"inMailboxOtherThan": [inbox, archive]},
        {"before": utc(BASE + 2 * 3600)},
        {"after": utc(BASE + 2 * 3600)},
        {"minSize": sizes[3]},
        {"maxSize": sizes[3]},
        {"hasKeyword": "$seen"},
        {"hasKeyword": "a_b"},  # no LIKE wildcard: "axb" must not match
        {"notKeyword": "$seen"},
        {"hasKeyword": "WORK"},  # keywords are case-insensitive
        {"allInThreadHaveKeyword": "$seen"},
        {"someInThreadHaveKeyword": "$flagged"},
        {"noneInThreadHaveKeyword": "$seen"},
        {"inMailbox": inbox, "hasKeyword": "$seen", "minSize": sizes[2]},
    ]
    for condition in conditions:
        expected = reference_query(
            emails, {k: v.lower() if "eyword" in k else v for k, v in condition.items()}, []
        )
        assert await ids(client, filter=condition) == expected, condition
    assert len(await ids(client, filter={"hasKeyword": "a_b"})) == 1


async def test_sealed_conditions_run_over_the_summaries(corpus: Corpus) -> None:
    client, emails, boxes = corpus
    by_subject = {e.subject: e.id for e in emails}

    async def found(condition: dict[str, Any]) -> set[str]:
        return set(await ids(client, filter=condition))

    assert await found({"hasAttachment": True}) == {by_subject["Party"], by_subject["invoice 42"]}
    assert len(await found({"hasAttachment": False})) == len(emails) - 2
    assert await found({"subject": "BUDGET"}) == {e.id for e in emails if "Budget" in e.subject}
    assert await found({"from": "carol"}) == {emails[1].id}
    assert await found({"from": "@shop.example"}) == {by_subject["invoice 42"]}
    assert await found({"to": "dave@"}) == {by_subject["Re: Party"]}
    assert await found({"cc": "Bob"}) == {by_subject["zebra notes"]}
    assert await found({"bcc": "anyone"}) == set()
    # Mixed with plaintext conditions, under NOT and OR.
    mixed = {
        "operator": "AND",
        "conditions": [
            {"inMailbox": boxes["inbox"]},
            {"operator": "NOT", "conditions": [{"subject": "budget"}, {"hasKeyword": "work"}]},
        ],
    }
    expected = {by_subject["Party"], by_subject["Re: Party"]}
    assert await found(mixed) == expected
    either = {"operator": "OR", "conditions": [{"from": "zed"}, {"hasKeyword": "axb"}]}
    assert await found(either) == {by_subject["zebra notes"], by_subject["invoice 42"]}


async def test_operators_combine_conditions(corpus: Corpus) -> None:
    client, emails, boxes = corpus
    trees: list[dict[str, Any]] = [
        {"operator": "AND", "conditions": [{"inMailbox": boxes["inbox"]}, {"hasKeyword": "$seen"}]},
        {"operator": "OR", "conditions": [{"inMailbox": boxes["archive"]}, {"hasKeyword": "work"}]},
        {"operator": "NOT", "conditions": [{"hasKeyword": "$seen"}, {"hasKeyword": "work"}]},
        {"operator": "AND", "conditions": []},
        {"operator": "OR", "conditions": []},
    ]
    for tree in trees:
        assert await ids(client, filter=tree) == reference_query(emails, tree, []), tree


async def test_each_sort_orders_like_the_model(corpus: Corpus) -> None:
    client, emails, _ = corpus
    for prop in ("receivedAt", "size", "sentAt"):
        for ascending in (True, False):
            sort = [{"property": prop, "isAscending": ascending}]
            assert await ids(client, sort=sort) == reference_query(emails, None, sort), sort
    for prop in ("hasKeyword", "allInThreadHaveKeyword", "someInThreadHaveKeyword"):
        sort = [
            {"property": prop, "keyword": "$seen", "isAscending": False},
            {"property": "receivedAt"},
        ]
        assert await ids(client, sort=sort) == reference_query(emails, None, sort), sort
    # With no sort: newest received first.
    assert await ids(client) == reference_query(emails, None, [])


async def test_summary_sorts_use_the_collation(corpus: Corpus) -> None:
    client, emails, _ = corpus

    def subject_order(ascending: bool) -> list[str]:
        ordered = sorted(emails, key=lambda e: e.id, reverse=not ascending)
        ordered.sort(key=lambda e: e.subject.casefold(), reverse=not ascending)
        return [e.id for e in ordered]

    for ascending in (True, False):
        sort = [{"property": "subject", "isAscending": ascending}]
        assert await ids(client, sort=sort) == subject_order(ascending)
    ascii_sort = [{"property": "subject", "collation": "i;ascii-casemap"}]
    assert await ids(client, sort=ascii_sort) == subject_order(True)
    by_from = await ids(client, sort=[{"property": "from"}, {"property": "receivedAt"}])
    names = {e.id: e.sender for e in emails}
    shown = [names[i].split(" <")[0] if " <" in names[i] else names[i] for i in by_from]
    assert shown == sorted(shown, key=str.casefold)
    by_to = await ids(client, sort=[{"property": "to", "isAscending": False}], limit=2)
    assert len(by_to) == 2
    # A summary sort with a sealed filter and a window.
    page = await client.one(
        "Email/query",
        filter={"subject": "re:"},
        sort=[{"property": "subject"}, {"property": "receivedAt", "isAscending": False}],
        position=1,
        calculateTotal=True,
    )
    assert page["total"] == 3 and page["position"] == 1 and len(page["ids"]) == 2


async def test_subject_sort_by_ascii_numeric(services: Services) -> None:
    """RFC 4790 9.1: subjects compare by their leading number; those without one sort last."""
    client = await make_client(services)
    subjects = ["10 apples", "9 pears", "banana", "0010 figs", "2"]
    imported = {}
    for n, subject in enumerate(subjects):
        email = await client.import_email(raw_message(subject, f"n{n}@example.net"))
        imported[email["id"]] = subject
    sort = [{"property": "subject", "collation": "i;ascii-numeric"}, {"property": "size"}]
    got = [imported[i] for i in await ids(client, sort=sort)]
    assert got[:2] == ["2", "9 pears"]
    assert set(got[2:4]) == {"10 apples", "0010 figs"} and got[4] == "banana"
    descending = [{"property": "subject", "collation": "i;ascii-numeric", "isAscending": False}]
    assert imported[(await ids(client, sort=descending))[0]] == "banana"


async def test_collapse_threads_keeps_the_first_email_of_each_thread(corpus: Corpus) -> None:
    client, emails, boxes = corpus
    for sort in ([], [{"property": "size"}], [{"property": "receivedAt", "isAscending": True}]):
        got = await ids(client, collapseThreads=True, sort=sort)
        assert got == reference_query(emails, None, sort, collapse=True)
    inbox = {"inMailbox": boxes["inbox"]}
    got = await client.one("Email/query", filter=inbox, collapseThreads=True, calculateTotal=True)
    assert got["ids"] == reference_query(emails, inbox, [], collapse=True)
    assert got["total"] == len(got["ids"]) and got["canCalculateChanges"] is False
    # Collapsed and sorted by subject, in memory.
    by_subject = await ids(client, collapseThreads=True, sort=[{"property": "subject"}])
    assert len(by_subject) == len({e.thread_id for e in emails})
    limited = await ids(client, collapseThreads=True, limit=2, position=1)
    assert limited == reference_query(emails, None, [], collapse=True)[1:3]


# --- windows and errors --------------------------------------------------------------------


async def test_position_anchor_limit_and_total(corpus: Corpus) -> None:
    client, emails, _ = corpus
    everything = reference_query(emails, None, [])
    got = await client.one("Email/query", position=2, limit=3, calculateTotal=True)
    assert got["ids"] == everything[2:5] and got["position"] == 2
    assert got["total"] == len(emails) and got["canCalculateChanges"] is True
    assert "total" not in await client.one("Email/query", limit=1)
    tail = await client.one("Email/query", position=-3)
    assert tail["ids"] == everything[-3:] and tail["position"] == len(emails) - 3
    assert (await client.one("Email/query", position=-100))["position"] == 0
    assert await ids(client, position=100) == []
    anchored = await client.one("Email/query", anchor=everything[4], anchorOffset=-1, limit=2)
    assert anchored["ids"] == everything[3:5] and anchored["position"] == 3
    assert await ids(client, anchor=everything[1], anchorOffset=-5) == everything
    sealed = await client.one("Email/query", filter={"hasAttachment": False}, anchor=everything[0])
    assert sealed["position"] == 0
    missing = await client.error("Email/query", anchor="enothere")
    assert missing["type"] == "anchorNotFound"
    assert (await client.error("Email/query", limit=-1))["type"] == "invalidArguments"


async def test_unsupported_and_invalid_arguments(corpus: Corpus) -> None:
    client, _, _ = corpus
    assert (await client.error("Email/query", filter={"colour": "red"}))["type"] == (
        "unsupportedFilter"
    )
    bad_operator = {"operator": "XOR", "conditions": []}
    assert (await client.error("Email/query", filter=bad_operator))["type"] == "unsupportedFilter"
    for condition in (
        {"minSize": -1},
        {"before": "yesterday"},
        {"hasKeyword": "a b"},
        {"header": []},
        {"header": ["Sub ject", "x"]},
        {"text": 3},
    ):
        assert (await client.error("Email/query", filter=condition))["type"] == "invalidArguments"
    for comparator in ({"property": "colour"}, {"property": "subject", "collation": "i;octet"}):
        assert (await client.error("Email/query", sort=[comparator]))["type"] == "unsupportedSort"
    no_keyword = [{"property": "hasKeyword"}]
    assert (await client.error("Email/query", sort=no_keyword))["type"] == "invalidArguments"
    deep: dict[str, Any] = {}
    for _ in range(40):
        deep = {"operator": "NOT", "conditions": [deep]}
    assert (await client.error("Email/query", filter=deep))["type"] == "invalidArguments"


# --- queryChanges --------------------------------------------------------------------------


async def test_query_changes_reports_removed_and_added(corpus: Corpus) -> None:
    client, emails, boxes = corpus
    inbox = {"inMailbox": boxes["inbox"]}
    before = await client.one("Email/query", filter=inbox)
    state = before["queryState"]
    target = next(e for e in emails if boxes["inbox"] in e.mailboxes)
    await move(client, target, boxes["archive"])
    await set_keywords(client, emails[6].id, {"$seen"})  # archived: stays out of the inbox
    changes = await client.one(
        "Email/queryChanges", filter=inbox, sinceQueryState=state, calculateTotal=True
    )
    assert changes["oldQueryState"] == state and changes["newQueryState"] != state
    assert set(changes["removed"]) == {target.id, emails[6].id}
    assert changes["added"] == [] and changes["total"] == len(before["ids"]) - 1
    same = await client.one("Email/queryChanges", filter=inbox, sinceQueryState=state)
    assert same["removed"] == changes["removed"]
    too_many = await client.error(
        "Email/queryChanges", filter=inbox, sinceQueryState=state, maxChanges=1
    )
    assert too_many["type"] == "tooManyChanges"


async def test_query_changes_refuses_what_it_cannot_track(corpus: Corpus) -> None:
    client, _, _ = corpus
    state = (await client.one("Email/query"))["queryState"]
    for arguments in (
        {"collapseThreads": True},
        {"filter": {"from": "bob"}},
        {"sort": [{"property": "subject"}]},
        {"filter": {"someInThreadHaveKeyword": "$seen"}},
        {"sinceQueryState": "99999999"},
        {"sinceQueryState": "not-a-state"},
    ):
        got = await client.error("Email/queryChanges", **{"sinceQueryState": state, **arguments})
        assert got["type"] == "cannotCalculateChanges", arguments
    refused = await client.one("Email/query", filter={"from": "bob"})
    assert refused["canCalculateChanges"] is False


async def test_query_changes_with_up_to_id_on_an_immutable_query(corpus: Corpus) -> None:
    client, emails, _ = corpus
    sort = [{"property": "receivedAt", "isAscending": True}]
    first = await client.one("Email/query", sort=sort, filter={"minSize": 0})
    new = await client.import_email(
        b"From: a@b\r\nSubject: late\r\nMessage-ID: <late@x>\r\n\r\nhi\r\n",
        receivedAt=utc(BASE + 99 * 3600),
    )
    up_to = first["ids"][2]
    got = await client.one(
        "Email/queryChanges",
        sort=sort,
        filter={"minSize": 0},
        sinceQueryState=first["queryState"],
        upToId=up_to,
    )
    assert got["added"] == [] and got["removed"] == []
    full = await client.one(
        "Email/queryChanges", sort=sort, filter={"minSize": 0}, sinceQueryState=first["queryState"]
    )
    assert full["added"] == [{"id": new["id"], "index": len(emails)}]


# --- properties ----------------------------------------------------------------------------

KEYWORDS = ["$seen", "$flagged", "work", "a_b"]


def filters(boxes: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    dates = st.sampled_from([utc(BASE + h * 3600) for h in (0, 2, 5, 9)])
    sizes = st.integers(0, 1500)
    keyword = st.sampled_from(KEYWORDS)
    leaf = st.fixed_dictionaries(
        {},
        optional={
            "inMailbox": st.sampled_from([*boxes, "mnothere"]),
            "inMailboxOtherThan": st.lists(st.sampled_from(boxes), max_size=2),
            "before": dates,
            "after": dates,
            "minSize": sizes,
            "maxSize": sizes,
            "hasKeyword": keyword,
            "notKeyword": keyword,
            "allInThreadHaveKeyword": keyword,
            "someInThreadHaveKeyword": keyword,
            "noneInThreadHaveKeyword": keyword,
        },
    )
    return st.recursive(
        leaf,
        lambda children: st.fixed_dictionaries(
            {
                "operator": st.sampled_from(["AND", "OR", "NOT"]),
                "conditions": st.lists(children, max_size=3),
            }
        ),
        max_leaves=6,
    )


def sorts() -> st.SearchStrategy[list[dict[str, Any]]]:
    plain = st.fixed_dictionaries(
        {
            "property": st.sampled_from(["receivedAt", "size", "sentAt"]),
            "isAscending": st.booleans(),
        }
    )
    keyed = st.fixed_dictionaries(
        {
            "property": st.sampled_from(
                ["hasKeyword", "allInThreadHaveKeyword", "someInThreadHaveKeyword"]
            ),
            "keyword": st.sampled_from(KEYWORDS),
            "isAscending": st.booleans(),
        }
    )
    return st.lists(plain | keyed, max_size=3)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
async def test_random_plaintext_queries_match_the_reference(corpus: Corpus, data: Any) -> None:
    client, emails, boxes = corpus
    filter_ = data.draw(filters(list(boxes.values())))
    sort = data.draw(sorts())
    collapse = data.draw(st.booleans())
    expected = reference_query(emails, filter_, sort, collapse)
    got = await client.one(
        "Email/query", filter=filter_, sort=sort, collapseThreads=collapse, calculateTotal=True
    )
    assert got["ids"] == expected
    assert got["total"] == len(expected)


def apply_changes(old: list[str], changes: dict[str, Any]) -> list[str]:
    """What a client does with /queryChanges (RFC 8620 5.6)."""
    removed = set(changes["removed"])
    result = [i for i in old if i not in removed]
    for entry in sorted(changes["added"], key=lambda a: a["index"]):
        result.insert(entry["index"], entry["id"])
    return result


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
async def test_query_changes_bring_an_old_result_up_to_date(corpus: Corpus, data: Any) -> None:
    client, _, boxes = corpus
    box_ids = list(boxes.values())
    tree = data.draw(filters(box_ids).filter(lambda f: "Thread" not in repr(f)))
    sort = data.draw(sorts().filter(lambda s: "Thread" not in repr(s)))
    old = await client.one("Email/query", filter=tree, sort=sort)
    # Draws never depend on the database, which earlier examples have changed too.
    steps = st.tuples(
        st.sampled_from(["import", "keywords", "move", "destroy"]),
        st.integers(0, 10**9),
        st.sets(st.sampled_from(KEYWORDS)),
        st.sampled_from(box_ids),
    )
    for action, n, chosen, box in data.draw(st.lists(steps, min_size=1, max_size=4)):
        live = await model(client)
        if action == "import" or not live:
            body = "z" * (n % 1500)
            raw = f"From: p@x\r\nSubject: n{n}\r\nMessage-ID: <p{n}@x>\r\n\r\n{body}\r\n"
            await client.import_email(raw.encode(), receivedAt=utc(BASE + n % 10 * 3600))
            continue
        email = live[n % len(live)]
        if action == "keywords":
            await set_keywords(client, email.id, chosen)
        elif action == "move":
            await move(client, email, box)
        else:
            await destroy(client, email)
    new = await client.one("Email/query", filter=tree, sort=sort)
    changes = await client.one(
        "Email/queryChanges", filter=tree, sort=sort, sinceQueryState=old["queryState"]
    )
    assert changes["newQueryState"] == new["queryState"]
    assert apply_changes(old["ids"], changes) == new["ids"]


async def test_deep_positions_slice_a_kept_list_that_follows_every_change(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From DEEP_POSITION on, windows come from the whole id list kept per Email state:
    the same ids as the model at every position, and a change to the mail (an arrival,
    a move, a destroy) is seen at once, never an old list."""
    import api.core.email_query as email_query

    monkeypatch.setattr(email_query, "DEEP_POSITION", 2)
    client, emails, boxes = corpus
    everything = reference_query(emails, None, [])
    for position in range(len(everything) + 1):
        got = await client.one("Email/query", position=position, limit=3, calculateTotal=True)
        assert got["ids"] == everything[position : position + 3], position
        assert got["total"] == len(everything)
    inbox = {"inMailbox": boxes["inbox"]}
    in_inbox = reference_query(emails, inbox, [])
    assert await ids(client, filter=inbox, position=2) == in_inbox[2:]

    late = raw_message("arrived late", "<late@example.net>")
    newest = await client.import_email(late, receivedAt=utc(BASE + 10**6))
    assert (await ids(client, position=2, limit=2)) == everything[1:3]  # shifted by one
    assert (await ids(client, position=0, limit=1)) == [newest["id"]]
    await client.one("Email/set", destroy=[everything[3]])
    remaining = [newest["id"], *[i for i in everything if i != everything[3]]]
    assert await ids(client, position=2) == remaining[2:]

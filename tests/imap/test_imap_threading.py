"""RFC 5256's base subject, SORT order and both THREAD algorithms on hand-made messages,
each case named after the rule it checks."""

from __future__ import annotations

from typing import Any

import pytest

from compat.imap.base_subject import base_subject
from compat.imap.sort import sort_messages
from compat.imap.sortable import Facts, Sortable
from compat.imap.thread_references import references_threads
from compat.imap.thread_tree import render
from compat.imap.threads import ordered_subject_threads

SUBJECTS = [
    ("Hello", "Hello", False),
    ("Re: Hello", "Hello", True),
    ("RE:Hello", "Hello", True),
    ("Fwd: Re[2]: Hello", "Hello", True),
    ("Hello (fwd)", "Hello", True),
    ("Hello (FWD)  (fwd) ", "Hello", True),
    ("[list] Hello", "Hello", False),  # a list tag alone is no reply
    ("[list] Re: [list] Hello", "Hello", True),
    ("[list]", "[list]", False),  # the last blob stays when nothing follows it
    ("[a] [b]", "[b]", False),
    ("[fwd: Re: Hello]", "Hello", True),
    ("[Fwd: [fwd: Hello]]", "Hello", True),
    ("  Re:\tRe:   Hello\t world ", "Hello world", True),
    ("re [x]: Hello", "Hello", True),
    ("Reply", "Reply", False),  # "re" needs its colon
    ("", "", False),
]


@pytest.mark.parametrize(("subject", "base", "reply"), SUBJECTS)
def test_base_subject(subject: str, base: str, reply: bool) -> None:
    assert base_subject(subject) == (base, reply)


def _message(seq: int, **fields: Any) -> Sortable:
    email: dict[str, Any] = {
        "subject": fields.pop("subject", f"message {seq}"),
        "sentAt": fields.pop("sent", None),
        "receivedAt": fields.pop("received", f"2026-01-01T00:00:{seq:02d}Z"),
        "size": fields.pop("size", 100),
        "messageId": fields.pop("id", [f"m{seq}@x"]),
        "inReplyTo": fields.pop("reply_to", None),
        "references": fields.pop("refs", None),
    }
    for field in ("from", "to", "cc"):
        if field in fields:
            email[field] = [fields.pop(field)]
    assert not fields
    return Sortable(seq, seq, Facts(email))


def test_sort_reverse_turns_one_criterion_and_ties_stay_in_sequence_order() -> None:
    messages = [
        _message(1, subject="b", size=10),
        _message(2, subject="Re: a", size=30),
        _message(3, subject="B", size=30),
        _message(4, subject="a", size=10),
    ]
    by_size_then_subject = sort_messages(messages, [("SIZE", True), ("SUBJECT", False)])
    assert [m.seq for m in by_size_then_subject] == [2, 3, 4, 1]
    # Equal keys (base subjects "a" and "a", case folded "b" and "B") keep sequence order
    # even under REVERSE, which turns the criterion and not the implicit last one.
    assert [m.seq for m in sort_messages(messages, [("SUBJECT", True)])] == [1, 3, 2, 4]


def test_sort_by_date_falls_back_to_arrival_and_compares_in_utc() -> None:
    messages = [
        _message(1, sent="2026-01-01T10:00:00+02:00"),  # 08:00 UTC
        _message(2, sent=None, received="2026-01-01T07:00:00Z"),
        _message(3, sent="2026-01-01T09:00:00+00:00"),
    ]
    assert [m.seq for m in sort_messages(messages, [("DATE", False)])] == [2, 1, 3]


def test_sort_by_address_uses_the_local_part_and_display_uses_the_name() -> None:
    messages = [
        _message(1, **{"from": {"name": "Zed", "email": "alice@z.example"}}),
        _message(2, **{"from": {"name": None, "email": "Bob@a.example"}}),
        _message(3),  # no From: an empty key sorts first
    ]
    assert [m.seq for m in sort_messages(messages, [("FROM", False)])] == [3, 1, 2]
    assert [m.seq for m in sort_messages(messages, [("DISPLAYFROM", False)])] == [3, 2, 1]


def test_ordered_subject_groups_by_base_subject_with_the_first_as_parent() -> None:
    messages = [
        _message(1, subject="alpha", sent="2026-01-01T00:00:05Z"),
        _message(2, subject="Re: beta", sent="2026-01-01T00:00:02Z"),
        _message(3, subject="Re: alpha", sent="2026-01-01T00:00:06Z"),
        _message(4, subject="beta", sent="2026-01-01T00:00:03Z"),
        _message(5, subject="Fwd: alpha", sent="2026-01-01T00:00:07Z"),
        _message(6, subject="gamma", sent="2026-01-01T00:00:01Z"),
    ]
    assert render(ordered_subject_threads(messages)) == "(6)(2 4)(1 (3)(5))"


def test_references_links_replies_under_their_parents() -> None:
    messages = [
        _message(1, subject="plan"),
        _message(2, subject="Re: plan", refs=["m1@x"]),
        _message(3, subject="Re: plan", refs=["m1@x", "m2@x"]),
        _message(4, subject="Re: plan", reply_to=["m1@x"]),  # In-Reply-To alone
        _message(5, subject="other"),
    ]
    assert render(references_threads(messages)) == "(1 (2 3)(4))(5)"


def test_references_keeps_a_dummy_root_for_siblings_of_a_missing_parent() -> None:
    # m0 was never received: its two replies hang under a dummy, drawn as a nested list.
    messages = [
        _message(1, subject="Re: lost", refs=["m0@x"]),
        _message(2, subject="Re: lost", refs=["m0@x"]),
    ]
    assert render(references_threads(messages)) == "((1)(2))"
    # One reply to a missing parent is promoted to the root instead.
    assert render(references_threads(messages[:1])) == "(1)"


def test_references_promotes_children_of_an_inner_dummy() -> None:
    # 1 -> (missing m9) -> 2 and 3: the dummy is spliced out under 1.
    messages = [
        _message(1, subject="x"),
        _message(2, subject="Re: x", refs=["m1@x", "m9@x"]),
        _message(3, subject="Re: x", refs=["m1@x", "m9@x"]),
    ]
    assert render(references_threads(messages)) == "(1 (2)(3))"


def test_references_resists_loops_and_duplicate_ids() -> None:
    messages = [
        _message(1, subject="a", refs=["m2@x"]),
        _message(2, subject="b", refs=["m1@x"]),  # would close a loop: left as a root
        _message(3, subject="c", id=["m1@x"]),  # a duplicate id gets one of its own
        _message(4, subject="d", id=None),  # no Message-ID at all
        _message(5, subject="e", refs=["m5@x"]),  # references itself
    ]
    assert render(references_threads(messages)) == "(2 1)(3)(4)(5)"


def test_references_merges_threads_by_subject() -> None:
    messages = [
        _message(1, subject="news", sent="2026-01-01T00:00:01Z"),
        _message(2, subject="Re: news", sent="2026-01-01T00:00:02Z"),  # no references
        _message(3, subject="news", sent="2026-01-01T00:00:03Z"),
        _message(4, subject="[list] news", sent="2026-01-01T00:00:04Z"),
    ]
    # 2 is a reply and 1 is not: 2 goes under 1. 3 and 4 are originals like 1: each
    # meeting with 1 makes a dummy over both, and the second meets that dummy.
    assert render(references_threads(messages)) == "((1 2)(3)(4))"

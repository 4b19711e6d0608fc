"""THREAD and UID THREAD (RFC 5256 3): the messages SEARCH would choose, as threads by
ORDEREDSUBJECT or REFERENCES."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import groupby

from compat.imap.context import Context, Reply
from compat.imap.proto.commands import Thread
from compat.imap.search import matching
from compat.imap.sortable import Sortable
from compat.imap.thread_references import THREAD_PROPERTIES, references_threads
from compat.imap.thread_tree import Node, dismantle, render, sort_siblings

__all__ = ["handle_thread", "ordered_subject_threads"]


def ordered_subject_threads(messages: list[Sortable]) -> list[Node]:
    """ORDEREDSUBJECT: one thread per base subject, the earliest message at its root and
    the rest its children by sent date; threads by the sent date of their root."""
    ordered = sorted(messages, key=lambda m: (m.subject_key, m.sent, m.seq))
    roots = []
    for _, group in groupby(ordered, key=lambda m: m.subject_key):
        first, *rest = group
        root = Node(first)
        for message in rest:
            root.adopt(Node(message))
        roots.append(root)
    sort_siblings(roots)
    return roots


@contextmanager
def _uncollected() -> Iterator[None]:
    """No cyclic collection while a thread tree is built (it has no await): the tens of
    thousands of nodes it makes woke full collections over the whole heap, which were
    ~60% of a 16,000-message THREAD; `dismantle` then frees them without the collector."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


async def handle_thread(context: Context, request: Thread) -> Reply:
    # Both algorithms compare base subjects and sent dates; REFERENCES also follows ids.
    properties: tuple[str, ...] = ("subject", "sentAt", "receivedAt")
    if request.algorithm == "REFERENCES":
        properties += THREAD_PROPERTIES
    found = await matching(context, request.key, properties, current=request.uid)
    messages = [Sortable(uid if request.uid else seq, seq, facts) for seq, uid, facts in found]
    with _uncollected():
        if request.algorithm == "REFERENCES":
            roots = references_threads(messages)
        else:
            roots = ordered_subject_threads(messages)
        text = render(roots)
        dismantle(roots)
    await context.wire.untagged(f"THREAD {text}".rstrip().encode())
    return Reply("threaded")

"""THREAD=REFERENCES (RFC 5256 3): threads from Message-ID, References and In-Reply-To,
then joined by base subject, each step as the RFC numbers it.

Written here rather than taken from a library: the Python JWZ implementations on PyPI
are unmaintained or new and none follows RFC 5256's steps (its dummy pruning and
subject merge), which IMAP servers must match.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from compat.imap.sortable import Sortable
from compat.imap.thread_tree import Node, sort_siblings

__all__ = ["THREAD_PROPERTIES", "references_threads"]

THREAD_PROPERTIES = ("messageId", "inReplyTo", "references")


def _ids(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _thread_ids(email: dict[str, Any]) -> tuple[str | None, tuple[str, ...]]:
    """The first Message-ID, and (1): References, or else In-Reply-To's first id."""
    own = _ids(email.get("messageId"))[:1]
    references = _ids(email.get("references")) or _ids(email.get("inReplyTo"))[:1]
    return (own[0] if own else None), tuple(references)


def _descends(node: Node | None, ancestor: Node) -> bool:
    while node is not None:
        if node is ancestor:
            return True
        node = node.parent
    return False


def _link(parent: Node, child: Node) -> None:
    """A parent/child link, unless it would make a loop."""
    if not _descends(parent, child):
        parent.adopt(child)


def _build(messages: list[Sortable]) -> list[Node]:
    """(1) and (2): link every message under its references; the parentless are roots."""
    table: dict[str, Node] = {}

    def node_for(message_id: str) -> Node:
        node = table.get(message_id)
        if node is None:
            node = table[message_id] = Node()
        return node

    for message in sorted(messages, key=lambda m: m.seq):
        own, references = message.facts.thread_ids(_thread_ids)
        held = table.get(own) if own else None
        key = own if own and (held is None or held.message is None) else f"\0{message.seq}"
        node = node_for(key)  # a missing or duplicate Message-ID gets a unique one
        node.message = message
        chain = [node_for(reference) for reference in references]
        for parent, child in pairwise(chain):  # (1)(A)
            if child.parent is None and parent is not child:
                _link(parent, child)
        if node.parent is not None:  # (1)(B): its own references win
            node.parent.release(node)
        if chain and chain[-1] is not node:
            _link(chain[-1], node)
    return [node for node in table.values() if node.parent is None]


def _prune(nodes: list[Node], at_root: bool) -> list[Node]:
    """(3): drop childless dummies and splice a dummy's children into its place, except
    where that would put several children at the root."""
    kept: list[Node] = []
    for node in nodes:
        node.children = _prune(node.children, at_root=False)
        for child in node.children:
            child.parent = node
        if node.message is None and (not at_root or len(node.children) <= 1):
            kept.extend(node.children)
            continue
        kept.append(node)
    for node in kept:
        if at_root:
            node.parent = None
    return kept


def _subject(node: Node) -> tuple[str, bool]:
    """(5)(B)(i): the thread subject, and whether this node is a reply (never a dummy)."""
    base, reply = node.first.subject
    return base, reply and node.message is not None


def _prefer(node: Node, reply: bool, held: Node) -> bool:
    """(5)(B)(iv): a dummy, or an original over a reply, takes a message's place."""
    return held.message is not None and (node.message is None or (_subject(held)[1] and not reply))


def _merge_by_subject(roots: list[Node]) -> list[Node]:
    """(5): one thread per base subject among the roots."""
    table: dict[bytes, Node] = {}
    for node in roots:  # (B)
        base, reply = _subject(node)
        if not base:
            continue
        key = node.first.subject_key
        held = table.get(key)
        if held is None or _prefer(node, reply, held):
            table[key] = node
    merged: list[Node] = []
    for node in roots:  # (C)
        base, reply = _subject(node)
        held = table.get(node.first.subject_key) if base else None
        if held is None or held is node:
            merged.append(node)
            continue
        if held.message is None and node.message is None:
            for child in list(node.children):
                held.adopt(child)
        elif held.message is None or (reply and not _subject(held)[1]):
            held.adopt(node)
        else:
            dummy = Node()
            table[node.first.subject_key] = dummy
            merged[merged.index(held)] = dummy
            dummy.adopt(held)
            dummy.adopt(node)
    return merged


def references_threads(messages: list[Sortable]) -> list[Node]:
    roots = _prune(_build(messages), at_root=True)
    sort_siblings(roots)  # (4), and each dummy's children with it
    roots = _merge_by_subject(roots)
    sort_siblings(roots)  # (6)
    return roots

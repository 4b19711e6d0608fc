"""The thread tree both THREAD algorithms build, its sibling order by sent date
(RFC 5256 2.2) and its wire form (RFC 5256 4 thread-list)."""

from __future__ import annotations

from dataclasses import dataclass, field

from compat.imap.sortable import Sortable

__all__ = ["Node", "dismantle", "render", "sort_siblings"]


@dataclass(eq=False, slots=True)
class Node:
    """A message, or a dummy (message None) standing for one only referenced."""

    message: Sortable | None = None
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)

    @property
    def first(self) -> Sortable:
        """The message that dates and names this node: a dummy's is its first child's."""
        node = self
        while node.message is None:
            node = node.children[0]
        return node.message

    def adopt(self, child: Node) -> None:
        child.parent = self
        self.children.append(child)

    def release(self, child: Node) -> None:
        self.children.remove(child)
        child.parent = None


def _order(node: Node) -> tuple[float, int]:
    first = node.first
    return (first.facts.sent, first.seq)


def sort_siblings(nodes: list[Node]) -> None:
    """Every set of siblings by sent date, ties by sequence number; children first, so a
    dummy is dated by its earliest child."""
    for node in nodes:
        if node.children:
            sort_siblings(node.children)
    nodes.sort(key=_order)


def _members(node: Node) -> str:
    if node.message is None:
        return "".join(f"({_members(child)})" for child in node.children)
    text = str(node.message.number)
    if len(node.children) == 1:
        return f"{text} {_members(node.children[0])}"
    if node.children:
        return text + " " + "".join(f"({_members(child)})" for child in node.children)
    return text


def render(roots: list[Node]) -> str:
    """`(1)(2 3 (4)(5))`: a chain continues with spaces, a fork nests one list a branch."""
    return "".join(f"({_members(root)})" for root in roots)


def dismantle(roots: list[Node]) -> None:
    """Unlink every node, so each is freed by its reference count at once and none waits
    for (and wakes) the cyclic garbage collector: parent and child point at each other."""
    stack = list(roots)
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        node.children = []
        node.parent = None

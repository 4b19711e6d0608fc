"""A text condition (api.core.mail_search.TextCondition) as a tantivy query.

The value is cut into groups: each "quoted phrase" and each bare word. Every group must
match (AND), in any one of the condition's fields; a group of several tokens ("exact
words", or a word like e-mail that splits in two) is a phrase. The last group, when bare,
also matches as a prefix (type-ahead: "inv" finds "invoice"). Words go through the same
analyzer as the indexed text, so case, diacritics and (if chosen) stems match. User text
never reaches tantivy's query parser: no syntax to inject, no parse errors.
"""

from __future__ import annotations

import re
from typing import Any

from tantivy import Occur, Query

from api.core.mail_search import TextCondition, TextOperator, TextTree
from api.search.documents import header_tokens
from api.search.schema import HEADERS, TEXT_FIELDS

__all__ = ["Groups", "build_query", "groups", "tree_query"]

_GROUP = re.compile(r'"([^"]*)"?|(\S+)')
# (tokens, is a prefix) per group of the value.
Groups = list[tuple[list[str], bool]]


def groups(value: str, analyze: Any) -> Groups:
    """The value's groups as analysed tokens; the last bare group is a prefix."""
    found: Groups = []
    matches = list(_GROUP.finditer(value))
    for index, match in enumerate(matches):
        quoted = match.group(2) is None
        tokens = [t for t in analyze.analyze(match.group(1) if quoted else match.group(2))]
        if tokens:
            found.append((tokens, not quoted and index == len(matches) - 1))
    return found


def _tokens_query(schema: Any, field: str, tokens: list[str], prefix: bool) -> Any:
    words: list[str | tuple[int, str]] = list(tokens)
    if len(tokens) == 1:
        if prefix:
            # A regex over the term dictionary: unlike a phrase prefix it expands to every
            # term (tokens are alphanumeric, so nothing in them is a regex operator).
            return Query.regex_query(schema, field, f"{tokens[0]}.*")
        return Query.term_query(schema, field, tokens[0])
    if prefix:
        return Query.phrase_prefix_query(schema, field, words)
    return Query.phrase_query(schema, field, words)


def _fields(condition: TextCondition) -> tuple[str, ...]:
    if condition.field == "text":
        return TEXT_FIELDS
    return (condition.field,)


def _all_of(queries: list[Any]) -> Any:
    if len(queries) == 1:
        return queries[0]
    return Query.boolean_query([(Occur.Must, q) for q in queries])


def _header_query(schema: Any, condition: TextCondition) -> Any:
    name = condition.header or ""
    tokens = header_tokens(name, condition.value)
    if len(tokens) == 1:
        return Query.term_query(schema, HEADERS, tokens[0])
    return _tokens_query(schema, HEADERS, tokens[1:], prefix=True)


def build_query(schema: Any, condition: TextCondition, analyze: Any) -> Any:
    if condition.field == "header":
        return _header_query(schema, condition)
    parts = []
    for tokens, prefix in groups(condition.value, analyze):
        alternatives = [_tokens_query(schema, f, tokens, prefix) for f in _fields(condition)]
        if len(alternatives) == 1:
            parts.append(alternatives[0])
        else:
            parts.append(Query.boolean_query([(Occur.Should, q) for q in alternatives]))
    if not parts:
        # Nothing searchable in the value (empty, or punctuation only): no restriction.
        return Query.all_query()
    return _all_of(parts)


def tree_query(schema: Any, tree: TextTree, analyze: Any) -> Any:
    """A text tree as one query: AND as Must, OR as Should (at least one), NOT as every
    document but those matching any child (RFC 8621 4.4.1)."""
    if isinstance(tree, TextCondition):
        return build_query(schema, tree, analyze)
    assert isinstance(tree, TextOperator)
    children = [tree_query(schema, c, analyze) for c in tree.conditions]
    if tree.operator == "AND":
        return _all_of(children) if children else Query.all_query()
    if tree.operator == "OR":
        if not children:
            return Query.empty_query()
        return Query.boolean_query([(Occur.Should, q) for q in children])
    return Query.boolean_query(
        [(Occur.Must, Query.all_query()), *((Occur.MustNot, q) for q in children)]
    )

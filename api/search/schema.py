"""The index schema and its analyzers: what is indexed and how words are normalised.

Text is split on non-alphanumerics, lowercased and ASCII-folded (é -> e, ß -> ss), then,
if the account chose a language, stemmed with tantivy's Snowball stemmer for it. Header
fields are indexed as `name:word` tokens so a `header` condition finds a word in one named
header. Analyzers are registered again on every open: tantivy keeps none in the index.
"""

from __future__ import annotations

from typing import Any

import tantivy

__all__ = [
    "ADDRESS_FIELDS",
    "HEADERS",
    "KEY",
    "LANGUAGES",
    "RECEIVED",
    "TEXT_FIELDS",
    "analyzer",
    "build_schema",
    "header_analyzer",
    "register",
]

# Every field a `text` condition searches (RFC 8621 4.4.1: headers, bodies, attachments).
TEXT_FIELDS = ("subject", "from", "to", "cc", "bcc", "body", "attachments")
ADDRESS_FIELDS = ("from", "to", "cc", "bcc")
HEADERS = "headers"
# A per-index number naming the email (the sealed key map gives its id): a fast field,
# so a hit's email is found without reading a stored document.
KEY = "key"
RECEIVED = "received"
# Snowball stemmers tantivy ships; "" stems nothing.
LANGUAGES = frozenset(
    {
        "",
        "arabic",
        "danish",
        "dutch",
        "english",
        "finnish",
        "french",
        "german",
        "greek",
        "hungarian",
        "italian",
        "norwegian",
        "portuguese",
        "romanian",
        "russian",
        "spanish",
        "swedish",
        "tamil",
        "turkish",
    }
)
_TEXT = "sealbox_text"
_HEADER = "sealbox_header"


def build_schema() -> Any:
    builder = tantivy.SchemaBuilder()
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name=_TEXT, index_option="position")
    builder.add_text_field(HEADERS, tokenizer_name=_HEADER, index_option="position")
    builder.add_unsigned_field(KEY, indexed=True, fast=True)
    builder.add_unsigned_field(RECEIVED, fast=True)
    return builder.build()


def analyzer(language: str) -> Any:
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(64))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
    )
    if language:
        builder = builder.filter(tantivy.Filter.stemmer(language))
    return builder.build()


def header_analyzer() -> Any:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
        .filter(tantivy.Filter.remove_long(160))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def register(index: Any, language: str) -> None:
    """Give a newly opened index its analyzers (tantivy does not store them)."""
    index.register_tokenizer(_TEXT, analyzer(language))
    index.register_tokenizer(_HEADER, header_analyzer())

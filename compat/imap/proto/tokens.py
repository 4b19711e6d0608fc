"""The lexical layer of RFC 9051 9 (atom, quoted, literal, list): command bytes to tokens.

A command arrives whole, its literals inline as `{n}\\r\\n` followed by n octets (the
connection has read them already), so lexing never waits for I/O. `BODY[...]<...>`
stays one atom: its brackets may hold spaces and parentheses (HEADER.FIELDS (A B)).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Atom", "ParseError", "RefusedError", "Str", "Token", "TokenList", "astring", "tokenize"]

# Characters that end an atom (RFC 9051 9 atom-specials, less `%` and `*` which the
# list-mailbox and sequence-set rules allow inside the same token positions).
_ATOM_END = frozenset(b' (){"\r\n')
_MAX_DEPTH = 16


class ParseError(Exception):
    """The command breaks the grammar; the connection answers BAD (with the tag when known)."""


class RefusedError(ParseError):
    """Well-formed but asks for what the server lacks (a charset): a tagged NO [code]."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Atom:
    text: str


@dataclass(frozen=True, slots=True)
class Str:
    """A quoted string or a literal: octets, not yet decoded."""

    value: bytes
    literal: bool = False


@dataclass(frozen=True, slots=True)
class TokenList:
    items: tuple[Token, ...]


Token = Atom | Str | TokenList


class _Lexer:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def done(self) -> bool:
        return self.at >= len(self.data)

    def space(self) -> None:
        while self.at < len(self.data) and self.data[self.at] == 0x20:
            self.at += 1

    def token(self, depth: int) -> Token:
        byte = self.data[self.at]
        if byte == 0x22:  # "
            return self.quoted()
        if byte == 0x7B:  # {
            return self.literal()
        if byte == 0x28:  # (
            return self.parenthesized(depth)
        if byte == 0x29:
            raise ParseError("unexpected )")
        return self.atom()

    def quoted(self) -> Str:
        self.at += 1
        out = bytearray()
        while self.at < len(self.data):
            byte = self.data[self.at]
            self.at += 1
            if byte == 0x5C:  # backslash quotes only " and itself
                if self.at >= len(self.data) or self.data[self.at] not in b'"\\':
                    raise ParseError("bad escape in quoted string")
                out.append(self.data[self.at])
                self.at += 1
            elif byte == 0x22:
                return Str(bytes(out))
            elif byte in (0x0D, 0x0A, 0x00):
                raise ParseError("line break or NUL in quoted string")
            else:
                out.append(byte)
        raise ParseError("unterminated quoted string")

    def literal(self) -> Str:
        end = self.data.find(b"}\r\n", self.at)
        if end < 0:
            raise ParseError("bad literal")
        size_text = self.data[self.at + 1 : end].rstrip(b"+")
        if (
            self.data.startswith(b"~", self.at + 1)
            or not size_text.isdigit()
            or len(size_text) > 10
        ):
            raise ParseError("bad literal size")
        size = int(size_text)
        start = end + 3
        if start + size > len(self.data):
            raise ParseError("literal shorter than announced")
        self.at = start + size
        return Str(self.data[start : self.at], literal=True)

    def parenthesized(self, depth: int) -> TokenList:
        if depth >= _MAX_DEPTH:
            raise ParseError("lists nested too deep")
        self.at += 1
        items: list[Token] = []
        while True:
            self.space()
            if self.done():
                raise ParseError("unterminated list")
            if self.data[self.at] == 0x29:
                self.at += 1
                return TokenList(tuple(items))
            items.append(self.token(depth + 1))

    def atom(self) -> Atom:
        start = self.at
        bracket = 0
        while self.at < len(self.data):
            byte = self.data[self.at]
            if byte == 0x5B:
                bracket += 1
            elif byte == 0x5D:
                bracket -= 1
            elif bracket == 0 and byte in _ATOM_END:
                break
            elif byte < 0x20 or byte == 0x7F:
                raise ParseError("control character in atom")
            self.at += 1
        if self.at == start:
            raise ParseError("empty atom")
        if bracket != 0:
            raise ParseError("unbalanced [ ]")
        try:
            return Atom(self.data[start : self.at].decode("utf-8"))
        except UnicodeDecodeError:
            raise ParseError("atom is not UTF-8") from None


def tokenize(data: bytes) -> list[Token]:
    """Every token of one command (without its CRLF); ParseError when malformed."""
    lexer = _Lexer(data)
    tokens: list[Token] = []
    while True:
        lexer.space()
        if lexer.done():
            return tokens
        tokens.append(lexer.token(0))


def astring(token: Token) -> str:
    """An astring (RFC 9051 9): an atom, or a quoted or literal string in UTF-8."""
    if isinstance(token, Atom):
        return token.text
    if isinstance(token, Str):
        try:
            return token.value.decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError("string is not UTF-8") from None
    raise ParseError("expected a string, got a list")

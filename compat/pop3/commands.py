"""The POP3 command parser (RFC 1939 3, 9; RFC 2449 4, 5): one line in, one typed request
out, or a CommandError for the -ERR. No state is consulted here: the session decides
whether a well-formed command is allowed now."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "MAX_COMMAND",
    "Auth",
    "CommandError",
    "Numbered",
    "Pass",
    "Request",
    "Simple",
    "Top",
    "User",
    "parse_command",
]

# RFC 2449 4: a command line is at most 255 octets with its CRLF.
MAX_COMMAND = 255
# RFC 1939 3: an argument is at most 40 characters; a message number fits in far fewer.
_MAX_ARGUMENT = 40
_MAX_NUMBER_DIGITS = 10


class CommandError(Exception):
    """A line that is not a POP3 command; the text goes after -ERR."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@dataclass(frozen=True)
class Simple:
    """STAT, NOOP, RSET, QUIT, CAPA, STLS, and LIST / UIDL without a message number."""

    name: str


@dataclass(frozen=True)
class Numbered:
    """LIST n, UIDL n, RETR n, DELE n."""

    name: str
    number: int


@dataclass(frozen=True)
class Top:
    number: int
    lines: int


@dataclass(frozen=True)
class User:
    name: str


@dataclass(frozen=True)
class Pass:
    password: str

    def __repr__(self) -> str:
        return "Pass(password=<redacted>)"


@dataclass(frozen=True)
class Auth:
    """AUTH alone lists the mechanisms; AUTH PLAIN [initial-response] (RFC 5034 4)."""

    mechanism: str | None
    initial: str | None = None

    def __repr__(self) -> str:
        return f"Auth(mechanism={self.mechanism!r}, initial=<redacted>)"


Request = Simple | Numbered | Top | User | Pass | Auth

_NO_ARGUMENTS = frozenset({"STAT", "NOOP", "RSET", "QUIT", "CAPA", "STLS"})
_OPTIONAL_NUMBER = frozenset({"LIST", "UIDL"})
_NUMBER = frozenset({"RETR", "DELE"})


def _number(word: str, *, zero: bool = False) -> int:
    if not word.isascii() or not word.isdigit() or len(word) > _MAX_NUMBER_DIGITS:
        raise CommandError(f"not a number: {word[:_MAX_ARGUMENT]}")
    value = int(word)
    if value == 0 and not zero:
        raise CommandError("message numbers start at 1")
    return value


def _arguments(name: str, words: list[str], count: int) -> list[str]:
    if len(words) != count:
        raise CommandError(f"{name} takes {count} argument{'s' if count != 1 else ''}")
    return words


def parse_command(line: bytes) -> Request:
    """Parse one command line without its CRLF."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise CommandError("commands are ASCII (UTF-8 in arguments)") from None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        raise CommandError("control characters in command")
    keyword, _, rest = text.partition(" ")
    name = keyword.upper()
    if name == "PASS":
        # RFC 1939 7: PASS has one argument, so spaces are part of the password.
        if not rest:
            raise CommandError("PASS takes the password")
        return Pass(rest)
    # RFC 1939 3 wants one space between arguments; extra spaces hurt nobody, so pass.
    words = [word for word in rest.split(" ") if word]
    if name in _NO_ARGUMENTS:
        _arguments(name, words, 0)
        return Simple(name)
    if name in _OPTIONAL_NUMBER:
        if not words:
            return Simple(name)
        return Numbered(name, _number(_arguments(name, words, 1)[0]))
    if name in _NUMBER:
        return Numbered(name, _number(_arguments(name, words, 1)[0]))
    if name == "TOP":
        number, lines = _arguments(name, words, 2)
        return Top(_number(number), _number(lines, zero=True))
    if name == "USER":
        return User(_arguments(name, words, 1)[0])
    if name == "AUTH":
        if not words:
            return Auth(None)
        if len(words) > 2:
            raise CommandError("AUTH takes a mechanism and an optional initial response")
        return Auth(words[0].upper(), words[1] if len(words) == 2 else None)
    raise CommandError("unknown command")

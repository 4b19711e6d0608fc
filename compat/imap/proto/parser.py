"""The command parser (RFC 9051 9 command): one whole command's octets to a typed Command.

Never raises anything but CommandError, which carries the tag when one was readable so
the connection can answer `tag BAD ...` (or `* BAD ...` without one).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from compat.imap.proto import qresync
from compat.imap.proto.append_args import parse_append
from compat.imap.proto.commands import (
    Authenticate,
    Command,
    CopyMove,
    Enable,
    Fetch,
    Id,
    ListMailboxes,
    Login,
    MailboxCommand,
    Rename,
    Request,
    Search,
    Select,
    Simple,
    Status,
    Store,
    UidExpunge,
)
from compat.imap.proto.fetch_items import parse_fetch_items
from compat.imap.proto.search_keys import parse_search
from compat.imap.proto.sequence import SequenceSet, parse_sequence_set
from compat.imap.proto.sort_args import parse_sort, parse_thread
from compat.imap.proto.tokens import (
    Atom,
    ParseError,
    RefusedError,
    Token,
    TokenList,
    astring,
    tokenize,
)

__all__ = ["CommandError", "parse_command"]

_TAG = re.compile(rb"^[!#$&',\-./0-9:;<=>?@A-Z\[^_`a-z|}~]+$")
_SIMPLE = frozenset(
    {
        "CAPABILITY",
        "NOOP",
        "LOGOUT",
        "STARTTLS",
        "CHECK",
        "CLOSE",
        "UNSELECT",
        "EXPUNGE",
        "IDLE",
        "NAMESPACE",
    }
)
_STATUS_ITEMS = frozenset(
    {"MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "DELETED", "SIZE", "HIGHESTMODSEQ", "RECENT"}
)
_SEARCH_RETURNS = frozenset({"MIN", "MAX", "ALL", "COUNT", "SAVE"})


class CommandError(Exception):
    """BAD by default; NO with a response code for a well-formed command we refuse."""

    def __init__(
        self, message: str, tag: str | None, status: str = "BAD", code: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.tag = tag
        self.status = status
        self.code = code


def _nstring(token: Token) -> str | None:
    if isinstance(token, Atom) and token.text.upper() == "NIL":
        return None
    return astring(token)


def _atom(token: Token) -> str:
    if not isinstance(token, Atom):
        raise ParseError("expected an atom")
    return token.text


def _list(token: Token) -> tuple[Token, ...]:
    if not isinstance(token, TokenList):
        raise ParseError("expected a parenthesized list")
    return token.items


def _arity(args: list[Token], count: int) -> None:
    if len(args) != count:
        raise ParseError(f"expected {count} argument(s), got {len(args)}")


def _sequence(token: Token) -> SequenceSet:
    return parse_sequence_set(_atom(token))


def _flags(token: Token) -> tuple[str, ...]:
    items = _list(token) if isinstance(token, TokenList) else (token,)
    return tuple(_atom(t) for t in items)


def _modifier(args: list[Token], name: str) -> int | None:
    """A trailing `(NAME n)` modifier (UNCHANGEDSINCE, RFC 7162 3.1.3)."""
    if not args or not isinstance(args[-1], TokenList):
        return None
    items = args[-1].items
    if len(items) != 2 or _atom(items[0]).upper() != name or not _atom(items[1]).isdigit():
        raise ParseError(f"expected ({name} n)")
    args.pop()
    return int(_atom(items[1]))


def _login(args: list[Token], uid: bool) -> Request:
    _arity(args, 2)
    return Login(astring(args[0]), astring(args[1]))


def _authenticate(args: list[Token], uid: bool) -> Request:
    if len(args) not in (1, 2):
        raise ParseError("AUTHENTICATE mechanism [initial-response]")
    return Authenticate(_atom(args[0]).upper(), _atom(args[1]) if len(args) == 2 else None)


def _enable(args: list[Token], uid: bool) -> Request:
    if not args:
        raise ParseError("ENABLE needs a capability")
    return Enable(tuple(_atom(a).upper() for a in args))


def _id(args: list[Token], uid: bool) -> Request:
    _arity(args, 1)
    if isinstance(args[0], Atom) and args[0].text.upper() == "NIL":
        return Id(())
    items = _list(args[0])
    if len(items) % 2 or len(items) > 60:
        raise ParseError("ID takes field/value pairs")
    pairs = [(astring(items[i]), _nstring(items[i + 1])) for i in range(0, len(items), 2)]
    return Id(tuple(pairs))


def _list_command(args: list[Token], uid: bool, lsub: bool = False) -> Request:
    selection: set[str] = set()
    if not lsub and args and isinstance(args[0], TokenList):
        selection = {_atom(t).upper() for t in _list(args.pop(0))}
    returns: list[str] = []
    status: tuple[str, ...] = ()
    if not lsub and len(args) >= 4 and _atom_is(args[-2], "RETURN"):
        items = list(_list(args.pop()))
        args.pop()
        while items:
            option = _atom(items.pop(0)).upper()
            if option == "STATUS":
                status = _status_items(items.pop(0) if items else Atom(""))
            returns.append(option)
    if len(args) != 2:
        raise ParseError("LIST reference mailbox")
    patterns = _list(args[1]) if isinstance(args[1], TokenList) else (args[1],)
    return ListMailboxes(
        reference=astring(args[0]),
        patterns=tuple(astring(p) for p in patterns),
        lsub=lsub,
        subscribed_only="SUBSCRIBED" in selection,
        return_special_use="SPECIAL-USE" in returns or "SPECIAL-USE" in selection,
        return_subscribed="SUBSCRIBED" in returns,
        return_status=status,
    )


def _atom_is(token: Token, text: str) -> bool:
    return isinstance(token, Atom) and token.text.upper() == text


def _status_items(token: Token) -> tuple[str, ...]:
    items = tuple(_atom(t).upper() for t in _list(token))
    unknown = [i for i in items if i not in _STATUS_ITEMS]
    if unknown or not items:
        raise ParseError("bad STATUS items")
    return items


def _status(args: list[Token], uid: bool) -> Request:
    _arity(args, 2)
    return Status(astring(args[0]), _status_items(args[1]))


def _select(readonly: bool) -> Callable[[list[Token], bool], Request]:
    def parse(args: list[Token], uid: bool) -> Request:
        options = qresync.select_parameters(args)
        _arity(args, 1)
        return Select(astring(args[0]), readonly, options.condstore, options.qresync)

    return parse


def _mailbox_command(name: str) -> Callable[[list[Token], bool], Request]:
    def parse(args: list[Token], uid: bool) -> Request:
        _arity(args, 1)
        return MailboxCommand(name, astring(args[0]))

    return parse


def _rename(args: list[Token], uid: bool) -> Request:
    _arity(args, 2)
    return Rename(astring(args[0]), astring(args[1]))


def _search(args: list[Token], uid: bool) -> Request:
    returns = None
    if len(args) >= 2 and _atom_is(args[0], "RETURN"):
        args.pop(0)
        returns = tuple(_atom(t).upper() for t in _list(args.pop(0)))
        if any(r not in _SEARCH_RETURNS for r in returns):
            raise ParseError("unknown SEARCH RETURN option")
    return Search(uid, parse_search(args), returns)


def _fetch(args: list[Token], uid: bool) -> Request:
    modifiers = qresync.fetch_modifiers(args, uid)
    _arity(args, 2)
    items = parse_fetch_items(args[1])
    return Fetch(uid, _sequence(args[0]), items, modifiers.changed_since, modifiers.vanished)


def _store(args: list[Token], uid: bool) -> Request:
    unchanged = None
    if len(args) == 4:  # STORE set (UNCHANGEDSINCE n) +FLAGS (...)
        unchanged = _modifier([args.pop(1)], "UNCHANGEDSINCE")
    _arity(args, 3)
    action = _atom(args[1]).upper()
    mode = action[0] if action[:1] in ("+", "-") else ""
    base = action[len(mode) :]
    if base not in ("FLAGS", "FLAGS.SILENT"):
        raise ParseError("STORE takes FLAGS, +FLAGS or -FLAGS (.SILENT)")
    silent = base.endswith(".SILENT")
    return Store(uid, _sequence(args[0]), mode, silent, _flags(args[2]), unchanged)


def _copy_move(name: str) -> Callable[[list[Token], bool], Request]:
    def parse(args: list[Token], uid: bool) -> Request:
        _arity(args, 2)
        return CopyMove(uid, name, _sequence(args[0]), astring(args[1]))

    return parse


def _uid_expunge(args: list[Token], uid: bool) -> Request:
    _arity(args, 1)
    return UidExpunge(_sequence(args[0]))


_PARSERS: dict[str, Callable[[list[Token], bool], Request]] = {
    "LOGIN": _login,
    "AUTHENTICATE": _authenticate,
    "ENABLE": _enable,
    "ID": _id,
    "LIST": _list_command,
    "LSUB": lambda args, uid: _list_command(args, uid, lsub=True),
    "STATUS": _status,
    "SELECT": _select(readonly=False),
    "EXAMINE": _select(readonly=True),
    "CREATE": _mailbox_command("CREATE"),
    "DELETE": _mailbox_command("DELETE"),
    "SUBSCRIBE": _mailbox_command("SUBSCRIBE"),
    "UNSUBSCRIBE": _mailbox_command("UNSUBSCRIBE"),
    "RENAME": _rename,
    "APPEND": lambda args, uid: parse_append(args),
    "SEARCH": _search,
    "SORT": parse_sort,
    "THREAD": parse_thread,
    "FETCH": _fetch,
    "STORE": _store,
    "COPY": _copy_move("COPY"),
    "MOVE": _copy_move("MOVE"),
}
_UID_COMMANDS = frozenset({"SEARCH", "SORT", "THREAD", "FETCH", "STORE", "COPY", "MOVE", "EXPUNGE"})


def _request(tokens: list[Token]) -> Request:
    if not tokens:
        raise ParseError("missing command")
    name = _atom(tokens.pop(0)).upper()
    uid = False
    if name == "UID":
        if not tokens:
            raise ParseError("UID needs a command")
        name = _atom(tokens.pop(0)).upper()
        if name not in _UID_COMMANDS:
            raise ParseError(f"UID {name[:20]} is not a command")
        if name == "EXPUNGE":
            return _uid_expunge(tokens, True)
        uid = True
    if name in _SIMPLE:
        if tokens:
            raise ParseError(f"{name} takes no arguments")
        return Simple(name)
    parse = _PARSERS.get(name)
    if parse is None:
        raise ParseError(f"unknown command {name[:20]!r}")
    return parse(tokens, uid)


def parse_command(data: bytes) -> Command:
    """A command without its final CRLF, literals inline; CommandError when malformed."""
    tag_bytes, space, rest = data.partition(b" ")
    if not _TAG.match(tag_bytes) or not space:
        raise CommandError("expected a tag, a space and a command", None)
    tag = tag_bytes.decode("ascii")
    try:
        return Command(tag, _request(tokenize(rest)))
    except RefusedError as exc:
        raise CommandError(str(exc), tag, "NO", exc.code) from None
    except ParseError as exc:
        raise CommandError(str(exc), tag) from None
    except (ValueError, RecursionError):  # e.g. an int too big: still only BAD
        raise CommandError("malformed command", tag) from None

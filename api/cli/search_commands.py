"""`sealbox user search ADDRESS on|off` and `sealbox user reindex ADDRESS`.

Both need the account password: the `search` setting and the index are sealed under
the account key. `off` deletes every trace of the index; `on` and `reindex` build it from
the mail, with progress on stderr.
"""

from __future__ import annotations

import argparse
import sys

from api.cli.output import CommandError, say
from api.cli.secret_input import SecretReader
from api.core.unlocked import UnlockedAccount
from api.search.schema import LANGUAGES
from api.services import Services

__all__ = ["register"]

_STDIN_HELP = "read the account password from standard input"


async def _unlock(services: Services, args: argparse.Namespace) -> UnlockedAccount:
    password = SecretReader(args.password_stdin).read(f"Password of {args.address}")
    account, master_key = await services.login.verify_password(args.address, password, "cli")
    return UnlockedAccount(account.id, account.address, master_key)


def _progress(done: int, total: int) -> None:
    end = "\n" if done >= total else ""
    print(f"\rindexed {done}/{total} emails", end=end, file=sys.stderr, flush=True)


async def search(services: Services, args: argparse.Namespace) -> None:
    if args.language is not None and args.language not in LANGUAGES:
        raise CommandError(f"unknown language {args.language!r}; one of {sorted(LANGUAGES)}")
    unlocked = await _unlock(services, args)
    on = args.state == "on"
    settings = await services.search.set_enabled(unlocked, on, args.language, _progress)
    if on:
        language = settings.search_language or "none (no stemming)"
        say(f"search of {unlocked.address} is on; stemming: {language}")
    else:
        say(f"search of {unlocked.address} is off; its index is deleted")


async def reindex(services: Services, args: argparse.Namespace) -> None:
    unlocked = await _unlock(services, args)
    count = await services.search.reindex(unlocked, _progress)
    say(f"reindexed {count} emails of {unlocked.address}")


def register(
    users: argparse._SubParsersAction[argparse.ArgumentParser],
    common: list[argparse.ArgumentParser],
) -> None:
    parser = users.add_parser(
        "search", help="turn full-text search of an account on or off", parents=common
    )
    parser.add_argument("address", metavar="ADDRESS")
    parser.add_argument("state", choices=("on", "off"))
    parser.add_argument(
        "--language", help='stemming language, e.g. "english" ("" for none); rebuilds the index'
    )
    parser.add_argument("--password-stdin", action="store_true", help=_STDIN_HELP)
    parser.set_defaults(handler=search)
    parser = users.add_parser(
        "reindex", help="rebuild an account's search index from its mail", parents=common
    )
    parser.add_argument("address", metavar="ADDRESS")
    parser.add_argument("--password-stdin", action="store_true", help=_STDIN_HELP)
    parser.set_defaults(handler=reindex)

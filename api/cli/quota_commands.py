"""`sealbox user quota ADDRESS [OCTETS|default]`: the mail storage limit (RFC 9425)."""

from __future__ import annotations

import argparse

from api.cli.output import CommandError, say
from api.services import Services

__all__ = ["register"]

_UNITS = {"k": 1000, "m": 1000**2, "g": 1000**3, "t": 1000**4}


def parse_size(text: str) -> int:
    """ "500M", "2G", "1048576": octets, in decimal units as disk makers count."""
    value = text.strip().lower()
    factor = _UNITS.get(value[-1:], 1)
    digits = value[:-1] if value[-1:] in _UNITS else value
    if not digits.isdigit():
        raise CommandError(f"{text!r} is not a size; write e.g. 500M, 2G or 0 for no limit")
    return int(digits) * factor


async def quota(services: Services, args: argparse.Namespace) -> None:
    account = await services.accounts.get(args.address)
    if args.limit is not None:
        limit = None if args.limit == "default" else parse_size(args.limit)
        await services.accounts.set_quota(account.id, limit)
    current = await services.quota.mail(account.id)
    shown = "no limit" if current.limit is None else f"{current.limit} octets"
    say(f"{account.address}: {current.used} octets used, limit {shown}")


def register(
    users: argparse._SubParsersAction[argparse.ArgumentParser],
    common: list[argparse.ArgumentParser],
) -> None:
    parser = users.add_parser("quota", help="show or set the mail storage limit", parents=common)
    parser.add_argument("address", metavar="ADDRESS")
    parser.add_argument(
        "limit",
        nargs="?",
        metavar="OCTETS",
        help="new limit (500M, 2G; 0 for none; 'default' for the node's mail_quota_octets)",
    )
    parser.set_defaults(handler=quota)

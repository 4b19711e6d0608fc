"""`sealbox user add|list|remove|passwd ADDRESS`."""

from __future__ import annotations

import argparse

from api.cli.domain_commands import _day
from api.cli.output import say
from api.cli.secret_input import SecretReader
from api.core.addresses import normalize_address
from api.services import Services

__all__ = ["register"]

NO_RECOVERY_WARNING = (
    "this account has no recovery: if the password is lost, its mail cannot be decrypted "
    "by anyone, including the operator"
)


async def add(services: Services, args: argparse.Namespace) -> None:
    reader = SecretReader(args.password_stdin)
    password = reader.read("Password", confirm=True)
    created = await services.accounts.create(
        args.address, password, recovery=args.recovery, display_name=args.name or ""
    )
    say(f"added account {created.account.address} ({created.account.id})")
    if created.recovery_code is not None:
        say("recovery code (shown once; store it offline, it resets the password and keeps mail):")
        say(created.recovery_code)
    elif args.recovery == "none":
        say(f"note: {NO_RECOVERY_WARNING}")


async def list_users(services: Services, _: argparse.Namespace) -> None:
    for account in await services.accounts.list():
        factor = "totp" if account.has_second_factor else "password"
        say(
            f"{account.address}\t{account.id}\trecovery={account.recovery_mode}\t"
            f"sign-in={factor}\tcreated {_day(account.created_at)}"
        )


async def remove(services: Services, args: argparse.Namespace) -> None:
    await services.accounts.remove(args.address)
    say(f"removed account {normalize_address(args.address)} and everything it stored")


async def passwd(services: Services, args: argparse.Namespace) -> None:
    reader = SecretReader(args.password_stdin)
    if args.escrow_key:
        new = reader.read("New password", confirm=True)
        await services.passwords.reset_with_escrow(args.address, args.escrow_key, new)
        say(f"password of {args.address} reset with the escrow key; all mail kept")
        return
    if args.recovery_code:
        code = reader.read("Recovery code")
        new = reader.read("New password", confirm=True)
        fresh = await services.passwords.reset_with_recovery_code(args.address, code.reveal(), new)
        say(f"password of {args.address} reset; all mail kept. The used code is spent.")
        say("new recovery code (shown once):")
        say(fresh)
        return
    current = reader.read("Current password")
    new = reader.read("New password", confirm=True)
    await services.passwords.change(args.address, current, new)
    say(f"password of {args.address} changed; other sessions were signed out")


def register(
    users: argparse._SubParsersAction[argparse.ArgumentParser],
    common: list[argparse.ArgumentParser],
) -> None:
    parser = users.add_parser("add", help="create an account", parents=common)
    parser.add_argument("address", metavar="ADDRESS")
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    parser.add_argument(
        "--recovery",
        choices=("none", "code", "escrow"),
        default="none",
        help="how a lost password can be reset (default: none)",
    )
    parser.add_argument("--name", help="display name (stored encrypted)")
    parser.set_defaults(handler=add)

    users.add_parser("list", help="list accounts", parents=common).set_defaults(handler=list_users)

    parser = users.add_parser("remove", help="delete an account and its mail", parents=common)
    parser.add_argument("address", metavar="ADDRESS")
    parser.set_defaults(handler=remove)

    parser = users.add_parser(
        "passwd",
        help="change a password (current one, recovery code or escrow key)",
        parents=common,
    )
    parser.add_argument("address", metavar="ADDRESS")
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read secrets from standard input, one per line "
        "(current or recovery code first, then the new password)",
    )
    how = parser.add_mutually_exclusive_group()
    how.add_argument(
        "--recovery-code",
        action="store_true",
        help="reset with the account's recovery code instead of the password",
    )
    how.add_argument(
        "--escrow-key", metavar="FILE", help="reset with the operator's escrow private key (PEM)"
    )
    parser.set_defaults(handler=passwd)

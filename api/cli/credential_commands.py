"""`sealbox user app-password add|list|revoke`, `sealbox user totp ADDRESS enable|disable`
and `sealbox user passkey list|remove` (for a user who lost the device)."""

from __future__ import annotations

import argparse

from api.cli.domain_commands import _day
from api.cli.output import say
from api.cli.secret_input import SecretReader
from api.core.unlocked import UnlockedAccount
from api.services import Services

__all__ = ["register"]


async def add_app_password(services: Services, args: argparse.Namespace) -> None:
    # The new password wraps the account key, so the account password must unlock it first.
    password = SecretReader(args.password_stdin).read(f"Password of {args.address}")
    account, master_key = await services.login.verify_password(args.address, password, "cli")
    unlocked = UnlockedAccount(account.id, account.address, master_key)
    created = await services.app_passwords.create(unlocked, args.name)
    say(f"app password {created.record.id} ({created.record.name}) for {account.address};")
    say("use it instead of the account password in mail apps. It is shown once:")
    say(created.secret)


async def list_app_passwords(services: Services, args: argparse.Namespace) -> None:
    account = await services.accounts.get(args.address)
    for record in await services.app_passwords.list(account.id):
        used = _day(record.last_used_day) if record.last_used_day else "never"
        say(f"{record.id}\t{record.name}\tcreated {_day(record.created_at)}\tlast used {used}")


async def revoke_app_password(services: Services, args: argparse.Namespace) -> None:
    account = await services.accounts.get(args.address)
    await services.app_passwords.revoke(account.id, args.id)
    say(f"revoked app password {args.id} of {account.address}")


async def totp(services: Services, args: argparse.Namespace) -> None:
    account = await services.accounts.get(args.address)
    if args.action == "disable":
        await services.totp.disable(account)
        say(f"two-factor sign-in is off for {account.address}")
        return
    uri = await services.totp.enable(account)
    say(f"two-factor sign-in is on for {account.address}. Add this to an authenticator app")
    say("(shown once; mail apps keep working with app passwords):")
    say(uri.reveal())


async def list_passkeys(services: Services, args: argparse.Namespace) -> None:
    account = await services.accounts.get(args.address)
    for record in await services.passkeys.list(account.id):
        used = _day(record.last_used_day) if record.last_used_day else "never"
        unlocks = "unlocks mail" if record.slot else "second factor"
        say(f"{record.id}\t{record.name}\t{unlocks}\tcreated {_day(record.created_at)}"
            f"\tlast used {used}")  # fmt: skip


async def remove_passkey(services: Services, args: argparse.Namespace) -> None:
    account = await services.accounts.get(args.address)
    await services.passkeys.remove_lost(account.id, args.id)
    say(f"removed passkey {args.id} of {account.address}")
    if not account.has_second_factor and not await services.passkeys.list(account.id):
        say("the account now signs in with its password alone")


def register(
    users: argparse._SubParsersAction[argparse.ArgumentParser],
    common: list[argparse.ArgumentParser],
) -> None:
    group = users.add_parser("app-password", help="passwords for mail apps")
    actions = group.add_subparsers(dest="app_action", required=True, metavar="ACTION")
    parser = actions.add_parser("add", help="create an app password", parents=common)
    parser.add_argument("address", metavar="ADDRESS")
    parser.add_argument("--name", required=True, help="a label, e.g. 'Thunderbird on laptop'")
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the account password from standard input",
    )
    parser.set_defaults(handler=add_app_password)
    parser = actions.add_parser("list", help="list app passwords", parents=common)
    parser.add_argument("address", metavar="ADDRESS")
    parser.set_defaults(handler=list_app_passwords)
    parser = actions.add_parser("revoke", help="revoke an app password", parents=common)
    parser.add_argument("address", metavar="ADDRESS")
    parser.add_argument("id", metavar="ID")
    parser.set_defaults(handler=revoke_app_password)

    group = users.add_parser("passkey", help="passkeys (list, or remove a lost one)")
    actions = group.add_subparsers(dest="passkey_action", required=True, metavar="ACTION")
    parser = actions.add_parser("list", help="list passkeys", parents=common)
    parser.add_argument("address", metavar="ADDRESS")
    parser.set_defaults(handler=list_passkeys)
    parser = actions.add_parser("remove", help="remove a lost passkey", parents=common)
    parser.add_argument("address", metavar="ADDRESS")
    parser.add_argument("id", metavar="ID")
    parser.set_defaults(handler=remove_passkey)

    parser = users.add_parser("totp", help="two-factor sign-in (TOTP)", parents=common)
    parser.add_argument("address", metavar="ADDRESS")
    parser.add_argument("action", choices=("enable", "disable"))
    parser.set_defaults(handler=totp)

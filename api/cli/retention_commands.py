"""`sealbox user deleted list|restore ADDRESS` and `sealbox purge`: the retention promise
(mail destroyed by the user is kept 30 days, then crypto-shredded) from the command line.

Listing and restoring need the account password: the kept subjects and senders are
sealed under the account key, and a restored email is sealed again under it.
"""

from __future__ import annotations

import argparse
import datetime

from api.cli.output import CommandError, say
from api.cli.secret_input import SecretReader
from api.core.blob_purge import purge_once
from api.core.clock import DAY
from api.core.retention import RETENTION_DAYS
from api.core.unlocked import UnlockedAccount
from api.services import Services

__all__ = ["register", "register_purge"]


_STDIN_HELP = "read the account password from standard input"


def _utc(timestamp: int) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _unlock(services: Services, args: argparse.Namespace) -> UnlockedAccount:
    password = SecretReader(args.password_stdin).read(f"Password of {args.address}")
    account, master_key = await services.login.verify_password(args.address, password, "cli")
    return UnlockedAccount(account.id, account.address, master_key)


async def list_deleted(services: Services, args: argparse.Namespace) -> None:
    unlocked = await _unlock(services, args)
    for item in (await services.retention.list_deleted(unlocked)).items:
        record, summary = item.record, item.summary
        deleted_at = record.deleted_at or 0
        sender = ", ".join(a.email for a in summary.from_ or [])
        say(
            f"{record.id}\tdeleted {_utc(deleted_at)}\t"
            f"purged after {_utc(deleted_at + RETENTION_DAYS * DAY)}\t"
            f"received {_utc(record.received_at)}\t{record.size} bytes\t"
            f"from {sender or '-'}\t{summary.subject or '(no subject)'}"
        )


async def restore(services: Services, args: argparse.Namespace) -> None:
    unlocked = await _unlock(services, args)
    result = await services.retention.restore(unlocked, args.ids)
    restored = result.restored
    for old_id, record in restored.items():
        say(f"restored {old_id} as {record.id}")
    if result.refused:
        raise CommandError(
            "not restored: "
            + "; ".join(f"{old_id}: {exc.message}" for old_id, exc in result.refused.items())
        )
    missing = [i for i in dict.fromkeys(args.ids) if i not in restored]
    if missing:
        raise CommandError(
            f"no deleted email {', '.join(missing)} in {unlocked.address} "
            "(already restored, purged, or never deleted)"
        )


async def purge(services: Services, _: argparse.Namespace) -> None:
    counts = await purge_once(services.blobs, services.retention)
    say(
        f"purged {counts.emails} emails deleted over {RETENTION_DAYS} days ago, "
        f"{counts.uploads} expired uploads, {counts.abandoned_writes} abandoned writes, "
        f"{counts.orphans} stored blobs without a row"
    )


def register(
    users: argparse._SubParsersAction[argparse.ArgumentParser],
    common: list[argparse.ArgumentParser],
) -> None:
    group = users.add_parser("deleted", help=f"mail the user destroyed, kept {RETENTION_DAYS} days")
    actions = group.add_subparsers(dest="deleted_action", required=True, metavar="ACTION")
    parser = actions.add_parser("list", help="list destroyed mail still kept", parents=common)
    parser.add_argument("address", metavar="ADDRESS")
    parser.add_argument("--password-stdin", action="store_true", help=_STDIN_HELP)
    parser.set_defaults(handler=list_deleted)
    parser = actions.add_parser(
        "restore", help="bring destroyed mail back (as new emails)", parents=common
    )
    parser.add_argument("address", metavar="ADDRESS")
    parser.add_argument("ids", metavar="ID", nargs="+")
    parser.add_argument("--password-stdin", action="store_true", help=_STDIN_HELP)
    parser.set_defaults(handler=restore)


def register_purge(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: list[argparse.ArgumentParser],
) -> None:
    parser = commands.add_parser(
        "purge",
        help=f"run the periodic purge once (mail deleted over {RETENTION_DAYS} days ago, "
        "expired uploads)",
        parents=common,
    )
    parser.set_defaults(handler=purge)

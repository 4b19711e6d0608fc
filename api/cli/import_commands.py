"""`sealbox import imap ADDRESS --from imaps://user@host:port`: copy mail from another provider.

Secrets, with --password-stdin, one per line in this order: the Sealbox account's
password (it unlocks the keys that seal folder names and the import's progress), then
the source server's password. Without it, both are asked for on the terminal.
"""

from __future__ import annotations

import argparse

from api.cli.output import CommandError, say
from api.cli.secret_input import SecretReader
from api.core.import_progress import ImportProgress
from api.core.unlocked import UnlockedAccount
from api.jmap.local import LocalJmapCaller
from api.services import Services
from compat.imap.errors import ImapError
from compat.imap.gateway import JmapGateway
from compat.imap_import.importer import run_import
from compat.imap_import.responses import ResponseError
from compat.imap_import.source import ImapSource, SourceError
from compat.imap_import.source_url import SourceUrlError, parse_source
from compat.imap_import.target import ImportTarget

__all__ = ["register"]


async def import_imap(services: Services, args: argparse.Namespace) -> None:
    try:
        address = parse_source(args.source)
    except SourceUrlError as exc:
        raise CommandError(str(exc)) from None
    reader = SecretReader(args.password_stdin)
    password = reader.read(f"Password of {args.address}")
    account, master_key = await services.login.verify_password(args.address, password, "cli")
    source_password = reader.read(f"Password of {address.user} at {address.host}")
    unlocked = UnlockedAccount(
        account.id, account.address, master_key, wrapped_private_key=account.wrapped_private_key
    )
    gateway = JmapGateway(LocalJmapCaller(services, unlocked), account.id)
    try:
        source = await ImapSource.connect(address, source_password, verify=not args.insecure)
    except SourceError as exc:
        raise CommandError(str(exc)) from None
    try:
        report = await run_import(
            source,
            ImportTarget(gateway, services.blobs, unlocked),
            ImportProgress(services.store, unlocked, address.key()),
        )
    except (SourceError, ResponseError) as exc:
        raise CommandError(f"{exc} (what was copied is kept; run again to resume)") from None
    except ImapError as exc:
        raise CommandError(f"the account refused a message or folder: {exc.text}") from None
    finally:
        await source.close()
    say(
        f"imported {report.copied} messages into {account.address} from {report.folders} "
        f"folders; {report.already_there} were there already, {report.vanished} vanished"
    )


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: list[argparse.ArgumentParser],
) -> None:
    group = commands.add_parser("import", help="copy mail in from another provider")
    kinds = group.add_subparsers(dest="import_kind", required=True, metavar="SOURCE")
    parser = kinds.add_parser(
        "imap", help="every folder, flag and date from an IMAP server", parents=common
    )
    parser.add_argument("address", metavar="ADDRESS", help="the Sealbox account to fill")
    parser.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="URL",
        help="imaps://user@host:port (TLS) or imap://user@host:port (STARTTLS)",
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read secrets from standard input, one per line: "
        "the Sealbox account password first, then the source server's password",
    )
    parser.add_argument(
        "--insecure",
        action="store_true",
        help="accept any certificate from the source (self-signed test servers only)",
    )
    parser.set_defaults(handler=import_imap)

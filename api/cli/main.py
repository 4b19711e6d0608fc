"""Argument parsing and dispatch for the `sealbox` command."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from api.cli import (
    credential_commands,
    domain_commands,
    import_commands,
    quota_commands,
    retention_commands,
    search_commands,
    user_commands,
)
from api.cli.output import CommandError, fail, say
from api.config import ConfigError, Settings, load_settings
from api.core.errors import SealboxError
from api.logs import configure_logging
from api.services import Services, build_services
from api.store.errors import StoreError

__all__ = ["main"]

Handler = Callable[[Services, argparse.Namespace], Awaitable[None]]


def _settings_options() -> argparse.ArgumentParser:
    """--config plus one flag per setting (--http-port, --data-dir, ...), for every command."""
    options = argparse.ArgumentParser(add_help=False)
    group = options.add_argument_group("settings (override sealbox.toml and SEALBOX_*)")
    group.add_argument(
        "--config",
        default=argparse.SUPPRESS,
        metavar="FILE",
        help="path of sealbox.toml (or SEALBOX_CONFIG)",
    )
    for name in Settings.__struct_fields__:
        group.add_argument(
            f"--{name.replace('_', '-')}",
            dest=f"setting_{name}",
            default=argparse.SUPPRESS,
            metavar="VALUE",
        )
    return options


def build_parser() -> argparse.ArgumentParser:
    common = [_settings_options()]
    parser = argparse.ArgumentParser(
        prog="sealbox", description="Sealbox mail host", parents=common
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("serve", help="run every enabled listener", parents=common)
    openapi = commands.add_parser("openapi", help="print the OpenAPI document", parents=common)
    openapi.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
    domain_commands.register(commands, common)
    user = commands.add_parser("user", help="accounts and their credentials")
    users = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    user_commands.register(users, common)
    credential_commands.register(users, common)
    quota_commands.register(users, common)
    retention_commands.register(users, common)
    search_commands.register(users, common)
    retention_commands.register_purge(commands, common)
    import_commands.register(commands, common)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {
        key.removeprefix("setting_"): value
        for key, value in vars(args).items()
        if key.startswith("setting_")
    }
    return load_settings(getattr(args, "config", None), overrides)


async def _run(handler: Handler, settings: Settings, args: argparse.Namespace) -> None:
    services = build_services(settings)
    try:
        await services.store.migrate()
        await handler(services, args)
    finally:
        await services.close()


def _openapi(output: str | None) -> None:
    from api.app import openapi_document

    text = json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
        say(f"wrote {output}")
    else:
        sys.stdout.write(text)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = _settings(args)
        configure_logging(settings.log_level)
        if args.command == "serve":
            from api.server import serve

            asyncio.run(serve(settings))
        elif args.command == "openapi":
            _openapi(args.output)
        else:
            handler: Handler = args.handler
            asyncio.run(_run(handler, settings, args))
    except (SealboxError, StoreError, ConfigError, CommandError) as exc:
        return fail(str(exc))
    except OSError as exc:
        # An unusable data directory, key or output file: name it, without a traceback.
        if exc.filename and exc.strerror:
            return fail(f"cannot use {exc.filename}: {exc.strerror.lower()}")
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    return 0

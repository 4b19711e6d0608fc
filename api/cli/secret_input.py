"""Reading passwords for CLI commands: from stdin for scripts, or a hidden prompt."""

from __future__ import annotations

import getpass
import sys

from api.cli.output import CommandError
from crypto.secret_value import SecretStr

__all__ = ["SecretReader"]


class SecretReader:
    """Reads secrets one line at a time from stdin (--password-stdin) or a TTY prompt."""

    def __init__(self, from_stdin: bool) -> None:
        self._from_stdin = from_stdin

    def read(self, prompt: str, *, confirm: bool = False) -> SecretStr:
        if self._from_stdin:
            line = sys.stdin.readline()
            if not line:
                raise CommandError(f"expected {prompt.lower()} on standard input")
            return SecretStr(line.rstrip("\r\n"))
        if not sys.stdin.isatty():
            raise CommandError("no terminal to ask for the password: use --password-stdin")
        first = getpass.getpass(f"{prompt}: ")
        if confirm and getpass.getpass(f"{prompt} (again): ") != first:
            raise CommandError("the two passwords differ")
        return SecretStr(first)

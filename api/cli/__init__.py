"""The `sealbox` command: serve, domain, user, openapi."""

from api.cli.main import main

__all__ = ["main"]

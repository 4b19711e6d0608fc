"""The demo account a fresh data directory gets, so `make run` has someone to sign in as."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from api.config import Settings
from api.services import Services
from crypto.secret_value import SecretStr

__all__ = ["DemoAccount", "create_demo_account"]

# RFC 2606 reserves .test, so the demo domain can never collide with real mail.
FALLBACK_DOMAIN = "sealbox.test"


@dataclass(frozen=True, repr=False)
class DemoAccount:
    address: str
    password: str

    def __repr__(self) -> str:
        return f"DemoAccount({self.address}, <password redacted>)"


def demo_domain(settings: Settings) -> str:
    host = settings.hostname.lower().strip(".")
    return host if "." in host else FALLBACK_DOMAIN


async def create_demo_account(services: Services) -> DemoAccount | None:
    """Create demo@<domain> with a random password, only while no domain exists yet."""
    if not services.settings.create_demo_account or await services.domains.list():
        return None
    domain = await services.domains.add(demo_domain(services.settings))
    password = secrets.token_urlsafe(18)
    created = await services.accounts.create(
        f"demo@{domain.name}", SecretStr(password), display_name="Demo"
    )
    return DemoAccount(created.account.address, password)

"""`sealbox domain add|list|remove|dkim|dmarc DOMAIN`; dkim prints the DNS records
(RFC 6376 3.6.2), dmarc sets what the MX does with a failed DMARC check (RFC 7489 6.7)."""

from __future__ import annotations

import argparse
import datetime

from api.cli.output import say
from api.core.addresses import normalize_domain
from api.core.domains import DMARC_POLICIES, DmarcPolicy
from api.delivery.dns_records import dns_suggestions
from api.services import Services

__all__ = ["register"]


def _day(timestamp: int) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")


async def add(services: Services, args: argparse.Namespace) -> None:
    domain = await services.domains.add(args.domain)
    say(f"added domain {domain.name}")


async def list_domains(services: Services, _: argparse.Namespace) -> None:
    for domain in await services.domains.list():
        line = f"{domain.name}\tadded {_day(domain.created_at)}"
        say(line if domain.dmarc_policy is None else f"{line}\tdmarc {domain.dmarc_policy}")


async def remove(services: Services, args: argparse.Namespace) -> None:
    await services.domains.remove(args.domain)
    say(f"removed domain {normalize_domain(args.domain)}")


async def dkim(services: Services, args: argparse.Namespace) -> None:
    key = await services.dkim_keys.rotate(args.domain)
    say(f"new DKIM key for {key.domain}, selector {key.selector} (rsa-sha256, 2048 bits)")
    say("publish in DNS (keep the previous selector's record until old mail is delivered):")
    settings = services.settings
    for line in dns_suggestions(key, settings.hostname, settings.outbound_relay):
        say(line)


async def dmarc(services: Services, args: argparse.Namespace) -> None:
    policy: DmarcPolicy | None = None if args.policy == _DEFAULT else args.policy
    await services.domains.set_dmarc_policy(args.domain, policy)
    domain = normalize_domain(args.domain)
    if policy is None:
        default = "enforce" if services.settings.dmarc_enforce_reject else "report"
        say(f"{domain} follows the server's DMARC setting (now {default})")
    elif policy == "enforce":
        say(f"{domain}: DMARC p=reject is refused (550), p=quarantine goes to Junk")
    else:
        say(f"{domain}: DMARC failures are delivered and reported in Authentication-Results")


# The word that returns a domain to the server's dmarc_enforce_reject.
_DEFAULT = "default"


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: list[argparse.ArgumentParser],
) -> None:
    domain = commands.add_parser("domain", help="hosted domains")
    actions = domain.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, handler, text in (
        ("add", add, "host a domain"),
        ("remove", remove, "stop hosting a domain without accounts"),
        ("dkim", dkim, "create or rotate the domain's DKIM key; print the DNS records"),
    ):
        parser = actions.add_parser(name, help=text, parents=common)
        parser.add_argument("domain", metavar="DOMAIN")
        parser.set_defaults(handler=handler)
    parser = actions.add_parser(
        "dmarc", help="enforce or only report senders' DMARC policies", parents=common
    )
    parser.add_argument("domain", metavar="DOMAIN")
    parser.add_argument("policy", choices=[*DMARC_POLICIES, _DEFAULT])
    parser.set_defaults(handler=dmarc)
    actions.add_parser("list", help="list hosted domains", parents=common).set_defaults(
        handler=list_domains
    )

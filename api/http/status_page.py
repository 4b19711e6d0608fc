"""GET /: a small page saying what this node runs, until the webmail takes over the root."""

from __future__ import annotations

from html import escape

from litestar import MediaType, get

from api.config import Settings
from api.http.principal import ServicesDep
from api.jmap.session import base_url

__all__ = ["status_page"]

_LISTENERS = ("http", "imap", "imaps", "pop3", "pop3s", "smtp", "submission", "submissions")
# Protocols whose servers have landed; the others are configured but not served yet.
SERVED = frozenset({"http"})


def _rows(settings: Settings) -> str:
    rows = []
    for name in _LISTENERS:
        port = getattr(settings, f"{name}_port")
        state = "not built yet" if name not in SERVED else "listening" if port else "disabled"
        rows.append(f"<tr><td>{name}</td><td>{port or '-'}</td><td>{state}</td></tr>")
    return "\n".join(rows)


@get("/", media_type=MediaType.HTML, include_in_schema=False)
async def status_page(services: ServicesDep) -> str:
    settings = services.settings
    host = escape(settings.hostname)
    # What to type into a JMAP client: the Session resource of RFC 8620 2.2.
    jmap_session = escape(f"{base_url(settings)}/.well-known/jmap")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sealbox</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}}
td{{padding:.2rem 1rem .2rem 0}}</style></head>
<body><h1>Sealbox is running on {host}</h1>
<p>A mail host whose mail is encrypted at rest with keys only its users unlock.</p>
<ul><li><a href="/webmail/">Webmail</a> (sign-in preview)</li>
<li>JMAP session (RFC 8620): <code>{jmap_session}</code>, with an app password</li>
<li><a href="/openapi/swagger">HTTP API documentation</a>
(<a href="/openapi/openapi.json">openapi.json</a>)</li></ul>
<table><tr><th>listener</th><th>port</th><th>state</th></tr>
{_rows(settings)}
</table></body></html>"""

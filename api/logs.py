"""Structured logs: one JSON object per line on stderr, events with ids and timings only.

Never log a password, key, token or piece of mail content: log the account id and what
happened. Anything passed in `extra` becomes a field.
"""

from __future__ import annotations

import json
import logging
import sys
import time

__all__ = ["configure_logging"]

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        return json.dumps(entry, default=str)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Access logs would record every client address and path: personal data we need not keep.
    logging.getLogger("uvicorn.access").disabled = True
    # Migration chatter on every command start says nothing an operator needs.
    logging.getLogger("alembic").setLevel(max(root.level, logging.WARNING))

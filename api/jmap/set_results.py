"""SetError objects (RFC 8620 5.3) for the /set handlers, and the refusal that carries one."""

from __future__ import annotations

from typing import Any

__all__ = ["RefusedError", "set_error"]


def set_error(kind: str, description: str, properties: list[str] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"type": kind, "description": description}
    if properties is not None:
        error["properties"] = properties
    return error


class RefusedError(Exception):
    """One create, update or destroy is refused; the rest of the /set carries on."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error["type"])
        self.error = error

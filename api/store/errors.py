"""Errors the store raises upward, free of SQLAlchemy types."""

from __future__ import annotations

__all__ = ["StoreConflictError", "StoreError"]


class StoreError(Exception):
    """Base class for failures the store reports to api.core."""


class StoreConflictError(StoreError):
    """A unique or foreign-key constraint refused the write (e.g. the address exists)."""

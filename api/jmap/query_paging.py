"""The window of a /query result: position, anchor, anchorOffset, limit (RFC 8620 5.5)."""

from __future__ import annotations

from collections.abc import Sequence

from api.jmap.errors import AnchorNotFoundError, InvalidArgumentsError

__all__ = ["clamp_limit", "page"]


def clamp_limit(limit: int | None, cap: int | None) -> tuple[int | None, bool]:
    """(limit to use, whether it was clamped): a server maximum `cap` (None: none) caps a
    larger or absent limit, and the client is told (RFC 8620 5.5); negative is refused."""
    if limit is not None and limit < 0:
        raise InvalidArgumentsError("limit must not be negative")
    if cap is not None and (limit is None or limit > cap):
        return cap, True
    return limit, False


def page(
    ids: Sequence[str],
    *,
    position: int,
    anchor: str | None,
    anchor_offset: int,
    limit: int | None,
) -> tuple[int, list[str]]:
    """(position actually used, ids in the window) over the full, sorted result."""
    if limit is not None and limit < 0:
        raise InvalidArgumentsError("limit must not be negative")
    total = len(ids)
    if anchor is not None:
        try:
            start = ids.index(anchor) + anchor_offset
        except ValueError as exc:
            raise AnchorNotFoundError(f"{anchor} is not in the results") from exc
    else:
        # A negative position counts from the end; clamped to the first result.
        start = position + total if position < 0 else position
    start = max(0, start)
    end = total if limit is None else min(total, start + limit)
    return start, list(ids[start:end])

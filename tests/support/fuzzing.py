"""Shared pieces of the in-process HTTP fuzz tests: JSON-ish values and a test client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from hypothesis import strategies as st
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.services import Services

__all__ = ["in_process_client", "json_values"]


def json_values(max_text: int = 20, max_key: int = 10) -> st.SearchStrategy[Any]:
    """Any JSON value, nested a few levels, with short strings."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text(max_size=max_text)
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=max_key), inner)
        ),
        max_leaves=12,
    )


@asynccontextmanager
async def in_process_client(services: Services) -> AsyncIterator[AsyncTestClient[Any]]:
    """The real app over ASGI, no sockets; closes the services afterwards."""
    try:
        async with AsyncTestClient(
            app=create_app(services), base_url="https://testserver.local"
        ) as client:
            yield client
    finally:
        await services.close()

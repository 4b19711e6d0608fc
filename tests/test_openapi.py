"""The checked-in OpenAPI document is what the code generates (DESIGN.md: openapi/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from api.app import openapi_document

CHECKED_IN = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"
AUTH_PATHS = [
    "/auth/login",
    "/auth/totp",
    "/auth/logout",
    "/auth/me",
    "/auth/password",
    "/auth/recover",
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    # openapi_document builds services with default settings, which create ./data;
    # run it elsewhere so the test leaves the working tree alone.
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp("openapi"))
        return openapi_document()


def test_checked_in_document_is_current(generated: dict[str, Any]) -> None:
    # Serialised exactly as `sealbox openapi` (api/cli/main.py) writes it.
    expected = json.dumps(generated, indent=2, sort_keys=True) + "\n"
    actual = CHECKED_IN.read_text(encoding="utf-8") if CHECKED_IN.exists() else ""
    assert actual == expected, (
        f"{CHECKED_IN.relative_to(CHECKED_IN.parents[1])} is stale: run `make openapi` "
        "and commit the result"
    )


@pytest.mark.parametrize("path", AUTH_PATHS)
def test_document_lists_the_auth_endpoints(generated: dict[str, Any], path: str) -> None:
    assert path in generated["paths"]

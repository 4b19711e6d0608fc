"""The OpenAPI document describes the JMAP endpoints (RFC 8620 2.2, 3.1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CHECKED_IN = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


@pytest.mark.parametrize(
    ("path", "method"),
    [("/.well-known/jmap", "get"), ("/jmap/session", "get"), ("/jmap/api", "post")],
)
def test_jmap_endpoints_are_documented(path: str, method: str) -> None:
    # tests/test_openapi.py checks that the checked-in document is the generated one.
    document = json.loads(CHECKED_IN.read_text(encoding="utf-8"))
    assert method in document["paths"][path]


def test_api_documents_its_body_and_problem_details() -> None:
    operation = json.loads(CHECKED_IN.read_text(encoding="utf-8"))["paths"]["/jmap/api"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["using", "methodCalls"]
    assert "application/problem+json" in operation["responses"]["400"]["content"]

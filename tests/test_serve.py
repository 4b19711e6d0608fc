"""`sealbox serve` starts over HTTPS, answers on its status page, and stops cleanly."""

from __future__ import annotations

import pytest
from support.server import RunningServer, https_client


@pytest.mark.slow
def test_serve_answers_over_https_and_stops_cleanly(server: RunningServer) -> None:
    # The fixture also checks that SIGTERM ends the process with exit code 0.
    with https_client(server) as client:
        response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Sealbox is running" in response.text

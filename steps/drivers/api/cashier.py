"""The payer's side of each provider's cashier, as the API driver confirms a payment."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx


def confirm(http: httpx.Client, cashier_url: str) -> dict[str, str]:
    """Press the cashier's pay button: POST to the page's own action."""
    path = urlsplit(cashier_url).path
    response = http.post(path.rstrip("/") + "/pay", json={})
    return response.json() if response.headers.get("content-type", "").startswith("application/json") else {}

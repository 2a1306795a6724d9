"""The simulator's own outbound HTTP calls (merchant → provider, provider → merchant).

All of them go through ``client()``, a plain httpx client, so a test can lay respx routes over them to
inject timeouts, resets, 5xx or garbage.
"""

from __future__ import annotations

import httpx

from simulators.core.errors import GatewayUnavailable

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def client() -> httpx.Client:
    return httpx.Client(timeout=TIMEOUT, trust_env=False)


def unavailable(gateway_name: str, error: Exception) -> GatewayUnavailable:
    return GatewayUnavailable(
        f"{gateway_name}暂时无法连接,本次未扣款,请稍后重试({type(error).__name__})", field="gateway"
    )

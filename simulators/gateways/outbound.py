"""The simulator's own outbound HTTP calls (merchant → provider, provider → merchant).

All of them go through ``client()``, a plain httpx client, so a test can lay respx routes over them to
inject timeouts, resets, 5xx or garbage.
"""

from __future__ import annotations

from typing import Any

import httpx

from simulators.core.errors import GatewayUnavailable

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def client() -> httpx.Client:
    return httpx.Client(timeout=TIMEOUT, trust_env=False)


def unavailable(gateway_name: str, error: Exception, *, before_charge: bool = True) -> GatewayUnavailable:
    """A provider that could not be reached. Only a failed order creation can promise nothing was charged."""
    if before_charge:
        text = f"{gateway_name}暂时无法连接,本次未扣款,请稍后重试"
    else:
        text = f"{gateway_name}暂时无法确认支付结果,请稍后刷新查看;已支付的款项确认后自动入账,不会重复扣款"
    return GatewayUnavailable(f"{text}({type(error).__name__})", field="gateway")


def json_object(gateway_name: str, response: httpx.Response, *, before_charge: bool = False) -> dict[str, Any]:
    """A provider's JSON object; garbage means the provider cannot be trusted now (GatewayUnavailable)."""
    try:
        data = response.json()
    except ValueError as error:
        raise unavailable(gateway_name, error, before_charge=before_charge) from error
    if not isinstance(data, dict):
        raise unavailable(gateway_name, TypeError("not an object"), before_charge=before_charge)
    return data

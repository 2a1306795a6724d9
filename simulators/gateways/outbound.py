"""The simulator's own outbound HTTP calls (merchant → provider, provider → merchant).

All of them go through ``client()``, a plain httpx client, so a test can lay respx routes over them to
inject timeouts, resets, 5xx or garbage. A merchant's call to a provider goes through ``call``: the provider's
client signs it (its own signature and wire format); ``call`` adds the tenant, sends it and turns a call that did
not get through into ``GatewayUnavailable``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import httpx

from simulators.core import clock
from simulators.core.errors import GatewayUnavailable
from simulators.core.models import Tenant
from simulators.web import TENANT_HEADER

JSON = "application/json"
FORM = "application/x-www-form-urlencoded;charset=utf-8"

TIMEOUT = httpx.Timeout(20.0, connect=5.0)  # generous: a provider on a busy machine answers late, not never


def client() -> httpx.Client:
    return httpx.Client(timeout=TIMEOUT, trust_env=False)


def unavailable(gateway_name: str, error: Exception, *, before_charge: bool = True) -> GatewayUnavailable:
    """A provider that could not be reached. Only a failed first creation of the order's trade can promise nothing
    was charged (the payer has never been at its cashier); anything else may have been paid: 暂时无法确认."""
    return _unavailable(gateway_name, type(error).__name__, before_charge=before_charge)


def unconfirmed(gateway_name: str, error: GatewayUnavailable) -> GatewayUnavailable:
    """The same failure worded for an attempt the payer may already have paid at the cashier: never 未扣款."""
    return _unavailable(gateway_name, error.cause, before_charge=False)


def _unavailable(gateway_name: str, cause: str, *, before_charge: bool) -> GatewayUnavailable:
    if before_charge:
        text = f"{gateway_name}暂时无法连接,本次未扣款,请稍后重试"
    else:
        text = f"{gateway_name}暂时无法确认支付结果,请稍后刷新查看;已支付的款项确认后自动入账,不会重复扣款"
    return GatewayUnavailable(f"{text}({cause})", field="gateway", cause=cause)


def call(
    gateway_name: str,
    tenant_id: str,
    method: str,
    url: str,
    body: str,
    *,
    content_type: str,
    signed: Mapping[str, str] | None = None,
    before_charge: bool = False,
    refuse_from: int | None = None,
) -> httpx.Response:
    """A signed call to a provider: ``body`` as ``content_type`` (JSON answers are asked for), with the provider's
    ``signed`` headers and the tenant. A call that did not get through, or (``refuse_from``) answered with a status
    of at least that, is GatewayUnavailable."""
    headers = {
        "Content-Type": content_type,
        **({"Accept": JSON} if content_type == JSON else {}),
        **(signed or {}),
        TENANT_HEADER: tenant_id,
    }
    try:
        with client() as http:
            response = http.request(method, url, content=body.encode(), headers=headers)
    except httpx.HTTPError as error:
        raise unavailable(gateway_name, error, before_charge=before_charge) from error
    if refuse_from is not None and response.status_code >= refuse_from:
        raise status_error(gateway_name, response, before_charge=before_charge)
    return response


def status_error(gateway_name: str, response: httpx.Response, *, before_charge: bool = False) -> GatewayUnavailable:
    """A provider's answer with a status its client cannot read (a server error, an unexpected code)."""
    return unavailable(gateway_name, RuntimeError(f"HTTP {response.status_code}"), before_charge=before_charge)


def json_object(gateway_name: str, response: httpx.Response, *, before_charge: bool = False) -> dict[str, Any]:
    """A provider's JSON object; garbage means the provider cannot be trusted now (GatewayUnavailable)."""
    try:
        data = response.json()
    except ValueError as error:
        raise unavailable(gateway_name, error, before_charge=before_charge) from error
    if not isinstance(data, dict):
        raise unavailable(gateway_name, TypeError("not an object"), before_charge=before_charge)
    return data


def clock_of(tenant: Tenant) -> Callable[[], datetime]:
    """The tenant's clock as it stands, readable after its session is gone (while a call is out)."""
    copy = Tenant(clock_base=tenant.clock_base, clock_anchor=tenant.clock_anchor, clock_frozen=tenant.clock_frozen)
    return lambda: clock.now(copy)


class ProviderClient:
    """The merchant's side of one provider in one tenant: where it is reached (``url``, the simulator's address
    and the provider's ``path``), the merchant key it signs with, the tenant's clock, and ``send``."""

    gateway: str
    name: str
    path: str

    def __init__(self, base_url: str, tenant: Tenant) -> None:
        self.url = base_url.rstrip("/") + self.path
        self.tenant_id = tenant.id
        self.key = tenant.merchant_key
        self.now = clock_of(tenant)

    def send(
        self,
        method: str,
        url: str,
        body: str,
        *,
        content_type: str,
        signed: Mapping[str, str] | None = None,
        before_charge: bool = False,
        refuse_from: int | None = None,
    ) -> httpx.Response:
        """``call`` in this client's name and tenant."""
        return call(
            self.name,
            self.tenant_id,
            method,
            url,
            body,
            content_type=content_type,
            signed=signed,
            before_charge=before_charge,
            refuse_from=refuse_from,
        )

    def _json(self, response: httpx.Response, *, before_charge: bool = False) -> dict[str, Any]:
        return json_object(self.name, response, before_charge=before_charge)


class JsonProviderClient(ProviderClient):
    """A provider with a JSON API under ``path``, signed in a header over the method, the path, the body and the
    time (``signature``); an answer with a status of at least ``refuse_from`` is GatewayUnavailable."""

    refuse_from: int | None = None

    def signature(self, method: str, path: str, body: str, timestamp: int) -> dict[str, str]:
        raise NotImplementedError

    def _call(
        self, method: str, path: str, payload: dict[str, object] | None = None, *, before_charge: bool = False
    ) -> httpx.Response:
        body = json.dumps(payload, ensure_ascii=False) if payload is not None else ""
        signed = self.signature(method, self.path + path, body, int(time.time()))
        return self.send(
            method,
            self.url + path,
            body,
            content_type=JSON,
            signed=signed,
            before_charge=before_charge,
            refuse_from=self.refuse_from,
        )

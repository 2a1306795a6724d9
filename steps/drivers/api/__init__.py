"""API drivers: httpx clients of each channel's JSON back end (no browser)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from steps.drivers.api.alipay import AlipayApi
from steps.drivers.api.etax import EtaxApi
from steps.drivers.api.taxapp import TaxappApi
from steps.drivers.api.wechat import WechatApi
from steps.drivers.api.zheliban import ZhelibanApi
from steps.drivers.protocol import ChannelDriver, Senses

API_DRIVERS: dict[str, Callable[[httpx.Client, Senses], ChannelDriver]] = {
    "wechat": WechatApi, "alipay": AlipayApi, "taxapp": TaxappApi, "etax": EtaxApi, "zheliban": ZhelibanApi,
}

"""API drivers: httpx clients of each channel's JSON back end (no browser)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

import channels
from steps.drivers.api.alipay import AlipayApi
from steps.drivers.api.etax import EtaxApi
from steps.drivers.api.taxapp import TaxappApi
from steps.drivers.api.wechat import WechatApi
from steps.drivers.api.zheliban import ZhelibanApi
from steps.drivers.protocol import ChannelDriver, Senses

# Each channel of the registry and its back-end client.
API_DRIVERS: dict[str, Callable[[httpx.Client, Senses], ChannelDriver]] = {
    channels.WECHAT.code: WechatApi,
    channels.ALIPAY.code: AlipayApi,
    channels.TAXAPP.code: TaxappApi,
    channels.ETAX.code: EtaxApi,
    channels.ZHELIBAN.code: ZhelibanApi,
}

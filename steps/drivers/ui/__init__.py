"""UI drivers: Playwright page objects of each channel, driving real Chromium as that channel's device."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page

import channels
from steps.drivers.protocol import ChannelDriver, Senses
from steps.drivers.ui.alipay import AlipayUi
from steps.drivers.ui.etax import EtaxUi
from steps.drivers.ui.taxapp import TaxappUi
from steps.drivers.ui.wechat import WechatUi
from steps.drivers.ui.zheliban import ZhelibanUi

# Each channel of the registry and its page objects; the device it runs as is the registry's too.
UI_DRIVERS: dict[str, Callable[[Page, str, Senses], ChannelDriver]] = {
    channels.WECHAT.code: WechatUi,
    channels.ALIPAY.code: AlipayUi,
    channels.TAXAPP.code: TaxappUi,
    channels.ETAX.code: EtaxUi,
    channels.ZHELIBAN.code: ZhelibanUi,
}

"""UI drivers: Playwright page objects of each channel, driving real Chromium as that channel's device."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Page

from steps.drivers.protocol import ChannelDriver, Senses
from steps.drivers.ui.alipay import AlipayUi
from steps.drivers.ui.etax import EtaxUi
from steps.drivers.ui.taxapp import TaxappUi
from steps.drivers.ui.wechat import WechatUi
from steps.drivers.ui.zheliban import ZhelibanUi

IPHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
          "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 768}, "device_scale_factor": 1, "is_mobile": False,
           "has_touch": False}


@dataclass(frozen=True)
class Profile:
    """The device a channel runs on: its user agent and screen."""

    user_agent: str
    screen: dict[str, Any]

    def context_args(self) -> dict[str, Any]:
        return {"user_agent": self.user_agent, "locale": "zh-CN", "timezone_id": "Asia/Shanghai", **self.screen}


PROFILES = {
    "wechat": Profile(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Mobile/15E148 MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/zh_CN",
        IPHONE,
    ),
    "alipay": Profile(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Mobile/15E148 ChannelId(0) AlipayDefined(nt:WIFI,ws:390|844|3.0) AliApp(AP/10.5.86) AlipayClient/10.5.86 "
        "Language/zh-Hans",
        IPHONE,
    ),
    "taxapp": Profile(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Mobile/15E148 NingboTaxApp/3.6.0 (iOS)",
        IPHONE,
    ),
    "etax": Profile(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
        "Safari/537.36",
        DESKTOP,
    ),
    "zheliban": Profile(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Mobile/15E148 dtDreamWeb/7.5.6 ZLB/7.5.6 (iOS) zh-CN",
        IPHONE,
    ),
}
UI_DRIVERS: dict[str, Callable[[Page, str, Senses], ChannelDriver]] = {
    "wechat": WechatUi, "alipay": AlipayUi, "taxapp": TaxappUi, "etax": EtaxUi, "zheliban": ZhelibanUi,
}

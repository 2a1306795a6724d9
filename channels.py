"""The five online channels, once: what the official guide says of each, read by both sides.

The simulator (its app, landing page, channel packages) and the harness (its drivers, the domain language, the
report and the guide coverage) read this registry; neither imports the other. It holds facts of the guide and of
the channels' devices, no code of either side. Adding a channel starts with one entry here (the README's layout
section has the recipe).

    Channel   code, Chinese names, path prefix and entry page, device, gateways offered, the guide's steps
    Device    the phone or desktop the channel runs on: user agent and screen
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

# The stages of paying, each with its own number in every channel's guide (a rule feature tagged ``@guide_<stage>``
# concerns that step of every channel it runs in), in the order a payment passes them.
STAGES = ("login", "payer", "choose", "pay", "records", "batch")


@dataclass(frozen=True)
class Device:
    """The device a channel runs on: its user agent and screen."""

    user_agent: str
    width: int
    height: int
    scale: int
    mobile: bool

    def context_args(self) -> dict[str, Any]:
        """A browser context of this device (Playwright's ``new_context`` arguments), in Chinese, in Ningbo's time."""
        return {
            "user_agent": self.user_agent,
            "locale": "zh-CN",
            "timezone_id": "Asia/Shanghai",
            "viewport": {"width": self.width, "height": self.height},
            "device_scale_factor": self.scale,
            "is_mobile": self.mobile,
            "has_touch": self.mobile,
        }


def _iphone(app: str) -> Device:
    return Device(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        f"Mobile/15E148 {app}",
        390,
        844,
        2,
        True,
    )


DESKTOP = Device(
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    1366,
    768,
    1,
    False,
)


@dataclass(frozen=True)
class Channel:
    """One channel as the guide describes it."""

    code: str  # the path segment, tag and label: ``wechat``
    name: str  # what the features and people call it: 微信公众号
    title: str  # its full name, as the landing page and the report show it: “宁波税务”微信公众号
    entry: str  # the page a person starts from, below the simulator's root
    device: Device
    gateways: tuple[str, ...]  # the payment providers it offers, by gateway code
    guide_section: str  # the guide's section title: 1、微信公众号
    guide_steps: int  # how many numbered steps its section of the guide has
    stages: Mapping[str, int] = field(default_factory=dict)  # stage (``STAGES``) → its step number in the guide

    def __hash__(self) -> int:
        return hash(self.code)

    @property
    def prefix(self) -> str:
        """Where its pages and back end (``…/api/``) are mounted."""
        return f"/{self.code}/"

    def __post_init__(self) -> None:
        object.__setattr__(self, "stages", MappingProxyType(dict(self.stages)))
        unknown = set(self.stages) - set(STAGES)
        beyond = {stage: n for stage, n in self.stages.items() if not 1 <= n <= self.guide_steps}
        if unknown or beyond or not self.entry.startswith(self.prefix):
            raise ValueError(
                f"渠道 {self.code}:未知的阶段 {sorted(unknown)}、超出指南步数的阶段 {beyond}、"
                f"入口 {self.entry} 应在 {self.prefix} 之下"
            )


WECHAT = Channel(
    "wechat",
    "微信公众号",
    "“宁波税务”微信公众号",
    "/wechat/search",
    _iphone("MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/zh_CN"),
    ("wechatpay",),
    "1、微信公众号",
    8,
    {"payer": 3, "choose": 4, "pay": 7, "records": 8},
)
ALIPAY = Channel(
    "alipay",
    "支付宝小程序",
    "支付宝小程序“宁波社保缴费”",
    "/alipay/",
    _iphone(
        "ChannelId(0) AlipayDefined(nt:WIFI,ws:390|844|3.0) AliApp(AP/10.5.86) AlipayClient/10.5.86 Language/zh-Hans"
    ),
    ("alipay",),
    "2、支付宝",
    6,
    {"payer": 2, "choose": 4, "pay": 5, "records": 6, "batch": 2},
)
TAXAPP = Channel(
    "taxapp",
    "宁波税务APP",
    "“宁波税务”APP",
    "/taxapp/",
    _iphone("NingboTaxApp/3.6.0 (iOS)"),
    ("ccb", "wechatpay", "alipay_qr", "agreement"),
    "3、“宁波税务”APP",
    7,
    {"login": 1, "payer": 3, "choose": 4, "pay": 6, "records": 7},
)
ETAX = Channel(
    "etax",
    "电子税务局",
    "宁波市电子税务局",
    "/etax/",
    DESKTOP,
    ("ccb", "alipay_qr", "agreement"),
    "4、电子税务局",
    8,
    {"login": 2, "payer": 5, "choose": 6, "pay": 7, "records": 8},
)
ZHELIBAN = Channel(
    "zheliban",
    "浙里办APP",
    "“浙里办”APP",
    "/zheliban/",
    _iphone("dtDreamWeb/7.5.6 ZLB/7.5.6 (iOS) zh-CN"),
    ("alipay_qr", "agreement"),
    "5、“浙里办”APP",
    9,
    {"login": 1, "payer": 5, "choose": 6, "pay": 8, "records": 9},
)

CHANNELS: tuple[Channel, ...] = (WECHAT, ALIPAY, TAXAPP, ETAX, ZHELIBAN)
BY_CODE: Mapping[str, Channel] = MappingProxyType({c.code: c for c in CHANNELS})
BY_NAME: Mapping[str, Channel] = MappingProxyType({c.name: c for c in CHANNELS})


def channel(code_or_name: str) -> Channel:
    """The channel of a code (``wechat``) or of the name the features use (微信公众号)."""
    found = BY_CODE.get(code_or_name) or BY_NAME.get(code_or_name)
    if found is None:
        names = "、".join(c.name for c in CHANNELS)
        raise KeyError(f"没有渠道“{code_or_name}”:渠道应为{names}之一")
    return found


def stage_steps(stage: str) -> dict[str, int]:
    """A stage's step number in each channel's guide that has it: ``{"wechat": 3, …}``."""
    return {c.code: c.stages[stage] for c in CHANNELS if stage in c.stages}


__all__ = [
    "ALIPAY",
    "BY_CODE",
    "BY_NAME",
    "CHANNELS",
    "ETAX",
    "STAGES",
    "TAXAPP",
    "WECHAT",
    "ZHELIBAN",
    "Channel",
    "Device",
    "channel",
    "stage_steps",
]

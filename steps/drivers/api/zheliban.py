"""API driver of the 浙里办 APP: the app's JSON back end under /zheliban/api/, as its pages call it."""

from __future__ import annotations

import httpx

from steps.drivers.api.app_channel import AppChannelApi
from steps.drivers.protocol import PayerRef, Senses

DEFAULT_DISTRICT = "奉化区"  # the guide's example


class ZhelibanApi(AppChannelApi):
    """The ChannelDriver of the 浙里办 APP over HTTP: register or log in as the person at the screen, choose the
    district in 办事服务 (``district``, 奉化区 unless a step picks another), 本人 or 他人 (with the random code read
    off its picture), then order and pay as the pages do."""

    channel = "zheliban"
    api = "/zheliban/api"
    default_gateway = "alipay_qr"  # 第三方支付: a payment code to save and scan

    def __init__(self, http: httpx.Client, senses: Senses, district: str = DEFAULT_DISTRICT) -> None:
        super().__init__(http, senses)
        self.district = district
        self.chosen = ""  # the district this login chose

    def log_in(self, person: PayerRef) -> None:
        super().log_in(person)
        self.chosen = ""

    def password_login(self, person: PayerRef, password: str) -> None:
        super().password_login(person, password)
        self.chosen = ""

    def enter(self) -> None:
        """办事服务 → the district, when this login has not chosen it yet (a step may pick another)."""
        if self.chosen != self.district:
            self._call("POST", f"{self.api}/district", {"district": self.district})
            self.chosen = self.district

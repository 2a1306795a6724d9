"""API driver of the 宁波税务 APP: the app's JSON back end under /taxapp/api/, as its pages call it."""

from __future__ import annotations

from steps.drivers.api.app_channel import AppChannelApi
from steps.drivers.protocol import PayerRef


class TaxappApi(AppChannelApi):
    """The ChannelDriver of the 宁波税务 APP over HTTP: register or log in as the person at the screen, 个人业务,
    本人 or 他人 (with the random code read off its picture), then order and pay as the pages do."""

    channel = "taxapp"
    api = "/taxapp/api"
    default_gateway = "ccb"  # the app's usual way: 第三方支付 建行

    def log_in(self, person: PayerRef) -> None:
        """Register (with the SMS code) if new here, else log in; then 个人业务."""
        super().log_in(person)
        self._call("POST", f"{self.api}/business", {"business": "个人业务"})

    def password_login(self, person: PayerRef, password: str) -> None:
        """登录, then 个人业务."""
        super().password_login(person, password)
        self._call("POST", f"{self.api}/business", {"business": "个人业务"})

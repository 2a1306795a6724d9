"""A person using an app channel with its own accounts (宁波税务APP, 电子税务局, 浙里办) over its JSON back end, as
its pages do, and what the database holds for the tenant: enough to prove that a refused request wrote nothing.
Also what the three channels' tests share: refusals, orders that can no longer be paid, the channel's payment
ways, 他人 that do not match, and the harness's API driver paying and logging in again."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from sqlalchemy import func, select

from fixtures.payers import Payer
from fixtures.receipts import pdf_text
from fixtures.simulator import EmbeddedSimulator, SimControl, TenantSenses
from simulators.core.idnumber import mask
from simulators.core.models import (
    Captcha,
    ChannelSession,
    SmsMessage,
)
from steps.drivers.api.app_channel import AppChannelApi
from steps.drivers.api.client import connect
from steps.drivers.protocol import Choice, PayerRef
from tests.channel_user import ChannelUser

PASSWORD = "Abc12345"
User = TypeVar("User", bound="AppUser")
Driver = TypeVar("Driver", bound=AppChannelApi)


def refused(response: httpx.Response, status: int, field: str, message: str) -> None:
    """A refusal: this status, its Chinese message (containing ``message``) naming the field."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["field"] == field, error
    assert message in error["message"], error


@contextmanager
def tenant_client(sim: EmbeddedSimulator, tenant: str) -> Iterator[httpx.Client]:
    """An HTTP client of the simulator in this tenant, keeping cookies as a browser does."""
    with connect(sim.url, tenant) as http:
        yield http


@dataclass
class AppUser(ChannelUser):
    """A person at an app channel (the 宁波税务APP unless ``channel`` says otherwise), logged in by ``X-App-Token``."""

    channel: str = "taxapp"
    extra: dict[str, str] = field(default_factory=dict)
    control: SimControl = field(kw_only=True)

    login_header = "X-App-Token"
    gateway = "ccb"

    # the way in -----------------------------------------------------------------------------------------------
    def send_code(self, phone: str) -> str:
        self.ok("POST", "/sms/code", {"phone": phone, "purpose": "register"})
        return self.code_of(phone)

    def code_of(self, phone: str) -> str:
        return str([m for m in self.control.sms(self.tenant, phone) if m["code"]][-1]["code"])

    def registration(self, payer: Payer, **changes: Any) -> dict[str, Any]:
        return {
            "phone": payer.phone,
            "sms_code": "",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "name": payer.name,
            "id_type": "居民身份证",
            "id_number": payer.id_number,
            **changes,
        }

    def register(self, payer: Payer, **changes: Any) -> httpx.Response:
        body = self.registration(payer, **changes)
        if not body["sms_code"]:
            body["sms_code"] = self.send_code(body["phone"])
        return self.call("POST", "/accounts", body)

    def sign_in(self, payer: Payer) -> AppUser:
        """Registered, logged in, 个人业务."""
        response = self.register(payer)
        assert response.status_code == 201, response.text
        self.token = response.json()["token"]
        self.ok("POST", "/business", {"business": "个人业务"})
        return self

    def captcha(self) -> tuple[str, str]:
        shown = self.ok("POST", "/captchas")["captcha_id"]
        return shown, self.control.captcha(self.tenant, shown)["text"]

    def other(self, payer: Payer, **changes: Any) -> dict[str, Any]:
        """The 他人 form, with a fresh random code read off its picture."""
        shown, text = self.captcha()
        return {
            "id_type": "居民身份证",
            "name": payer.name,
            "id_number": payer.id_number,
            "phone": payer.phone,
            "captcha_id": shown,
            "captcha": text,
            **changes,
        }

    # checks the channels share --------------------------------------------------------------------------------
    @contextmanager
    def writes_nothing(self) -> Iterator[None]:
        """What runs inside is refused: the tenant's rows, spent codes and logins stay as they were."""
        before = self.state()
        yield
        assert self.state() == before

    @contextmanager
    def spends_only_the_picture(self) -> Iterator[None]:
        """What runs inside is refused: the random code it tried is spent, and nothing else is written."""
        before = self.state()
        yield
        assert self.state() == {**before, "captchas_used": int(str(before["captchas_used"])) + 1}

    def check_closed_order_refused(self, payer: Payer, gateway: str) -> None:
        """The same bill ordered again closes the untouched first order: paying it is refused and writes nothing."""
        first, second = self.order_no(payer), self.order_no(payer)
        assert self.ok("GET", f"/orders/{first}")["status"] == "CLOSED"
        with self.writes_nothing():
            refused(self.pay(first, gateway), 409, "订单号", "已关闭(该笔费款已另行提交缴费),不能支付")
        assert self.ok("GET", f"/orders/{second}")["status"] == "CREATED"

    def check_other_ways_refused(self, payer: Payer, other_way: str, offered: str) -> str:
        """Another channel's way to pay is refused, naming the ways ``offered``, and writes nothing; returns the
        order, still to be paid."""
        order_no = self.order_no(payer)
        with self.writes_nothing():
            refused(self.pay(order_no, other_way), 422, "缴费渠道", offered)
        return order_no

    def check_mismatched_other_refused(
        self, other: Payer, changes: dict[str, str], status: int, field: str, message: str
    ) -> None:
        """The 他人 form (with a fresh random code) with ``changes``: refused, and nothing written but the random
        code spent."""
        body = {**self.other(other), **changes}
        with self.spends_only_the_picture():
            refused(self.call("POST", "/others", body), status, field, message)

    def check_id_number_taken_refused(self, payer: Payer, another_phone: str, app: str) -> None:
        """A second account for a registered ID number, even with another phone and its code: refused without
        showing the number, and nothing written."""
        code = self.send_code(another_phone)
        with self.writes_nothing():
            response = self.register(payer, phone=another_phone, sms_code=code)
            refused(response, 409, "证件号码", f"已注册{app}账号")
            assert payer.id_number not in response.text

    # what the database holds for this tenant --------------------------------------------------------------------
    def state(self) -> dict[str, object]:
        """Row counts, spent SMS codes and random codes, and what the logins keep: all a refusal must leave as is."""
        counts: dict[str, object] = {**self.rows()}
        with self.sim.db.transaction() as session:
            counts["sms_used"] = session.scalar(
                select(func.count())
                .select_from(SmsMessage)
                .where(SmsMessage.tenant_id == self.tenant, SmsMessage.used_at.is_not(None))
            )
            counts["captchas_used"] = session.scalar(
                select(func.count())
                .select_from(Captcha)
                .where(Captcha.tenant_id == self.tenant, Captcha.used_at.is_not(None))
            )
            counts["sessions"] = sorted(
                str(s.data)
                for s in session.scalars(select(ChannelSession).where(ChannelSession.tenant_id == self.tenant))
            )
            return counts


@contextmanager
def app_user(sim: EmbeddedSimulator, control: SimControl, tenant: str, kind: type[User]) -> Iterator[User]:
    """A person at the channel ``kind`` is for (AppUser: the 宁波税务APP), with a client of their own."""
    with tenant_client(sim, tenant) as http:
        yield kind(sim=sim, tenant=tenant, http=http, control=control)


# the harness's API driver -------------------------------------------------------------------------------------------
def ref(payer: Payer) -> PayerRef:
    return PayerRef(payer.name, payer.id_number, "居民身份证", payer.phone)


@contextmanager
def api_driver(
    sim: EmbeddedSimulator, control: SimControl, tenant: str, kind: Callable[..., Driver], **options: Any
) -> Iterator[Driver]:
    """The channel's API driver (``kind``, with its ``options``), as the harness builds it, in this tenant."""
    with tenant_client(sim, tenant) as http:
        yield kind(http, TenantSenses(control, tenant), **options)


def driver_pays_for_another(driver: AppChannelApi, payer: Payer, family: Payer, gateway: str) -> str:
    """``family`` pays the payer's 2024 pension (500) the ``gateway`` way: the payer's records show it, the
    family's none; returns the text of the payer's receipt, which shows the payer's masked ID number."""
    outcome = driver.pay(ref(payer), Choice("选档缴费", 2024, 500, gateway), by=ref(family))
    assert outcome.paid, outcome
    assert [r.year for r in driver.records(ref(payer))] == [2024]
    assert driver.records(ref(family)) == ()
    text = pdf_text(driver.receipt(ref(payer)))
    assert mask(payer.id_number) in text
    return text


def driver_logs_in_again(driver: AppChannelApi, control: SimControl, tenant: str, payer: Payer) -> None:
    """The login ends after half an hour idle on the tenant's clock; the driver logs in again to read records."""
    assert driver.pay(ref(payer), Choice("选档缴费", 2024, 300)).paid
    control.advance(tenant, 31 * 60)
    assert [r.amount for r in driver.records(ref(payer))] == ["300.00"]

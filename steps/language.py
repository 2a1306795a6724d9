"""The domain language the Chinese steps speak: payers, payments, records, faults. It fills every default
a scenario does not mention, and reaches the channels only through their drivers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any
from urllib.parse import parse_qsl

from faker import Faker

import channels
from fixtures.payers import Payer
from fixtures.qr import control_message, qr_payloads
from fixtures.receipts import pdf_text
from fixtures.simulator import ControlError, SimControl
from fixtures.waiting import poll
from steps.drivers.accounts import password_of
from steps.drivers.protocol import (
    AGAIN_AT_CASHIER,
    AT_CASHIER,
    CANCEL_AT_CASHIER,
    CAPTCHA_SHOWN,
    CHOOSE_TIER,
    PAY_AT_CASHIER,
    SPECIAL,
    AppAccounts,
    BatchDeduction,
    BatchEntry,
    CaptchaPictures,
    ChannelDriver,
    Choice,
    Items,
    LoginFactors,
    LoginTokens,
    Meanwhile,
    OrdersByNumber,
    OthersRecords,
    Outcome,
    PayerRef,
    QrTickets,
    Record,
    ResentConfirmation,
    SavedPaymentCode,
    Shown,
    UnverifiedLogin,
    together,
)
from steps.expect import fail, said
from steps.model import RuleModel, facts_of, load_reference

DEFAULT_TIER = 300
# The providers as the features name them (the guide's words), and their gateway codes (channels.py).
PROVIDERS = {
    "微信支付": "wechatpay",
    "支付宝": "alipay",
    "支付宝扫码": "alipay_qr",
    "支付宝付款码": "alipay_qr",
    "建设银行": "ccb",
    "协议支付": "agreement",
}


def channel_code(name: str) -> str:
    """The code of a channel named as the features name it (微信公众号), or given by its code."""
    return channels.channel(name).code


def wrong_check_char(id_number: str) -> str:
    checks = "10X98765432"
    return id_number[:17] + checks[(checks.index(id_number[17]) + 1) % 11]


@dataclass
class PensionPayments:
    control: SimControl
    tenant_id: str
    faker: Faker
    make_driver: Callable[[str], ChannelDriver]
    year: int = 2024
    payers: dict[str, Payer] = field(default_factory=dict)
    typed: dict[str, PayerRef] = field(default_factory=dict)
    drivers: dict[str, ChannelDriver] = field(default_factory=dict)
    last: Outcome | None = None
    order_deadline: int = 0  # minutes, as the scenario gives the reference data (set_order_deadline)
    batch_days: list[date] = field(default_factory=list)  # as the scenario gives them (set_batch_days)

    def __repr__(self) -> str:  # a step parameter in the report: who is paying, masked
        who = "; ".join(f"{alias} {payer!r}" for alias, payer in self.payers.items())
        return f"PensionPayments(租户 {self.tenant_id}; {who or '尚无缴费人'})"

    # payers -----------------------------------------------------------------------------------------
    def payer(self, alias: str = "缴费人", *, registered: bool = True, **traits: Any) -> Payer:
        """A payer of the tenant; everything not named is an eligible ordinary payer of the current year."""
        payer: Payer = self.faker.ningbo_payer(contribution_year=self.year, **traits)
        if registered:
            self.control.add_payers(self.tenant_id, [payer.to_json()])
        self.payers[alias] = payer
        self.typed[alias] = PayerRef(payer.name, payer.id_number, payer.id_type, payer.phone)
        return payer

    def mistype_check_char(self, alias: str = "缴费人") -> None:
        ref = self.typed[alias]
        self.typed[alias] = replace(ref, id_number=wrong_check_char(ref.id_number))

    def ref(self, alias: str) -> PayerRef:
        return self.typed[alias]

    # channels ---------------------------------------------------------------------------------------
    def driver(self, channel: str) -> ChannelDriver:
        code = channel_code(channel)
        if code not in self.drivers:
            self.drivers[code] = self.make_driver(code)
        return self.drivers[code]

    def items(self, alias: str, channel: str) -> Items:
        return self.driver(channel).insured_items(self.ref(alias))

    def pay_current_year(
        self, alias: str, channel: str, *, tier: int = DEFAULT_TIER, year: int | None = None, by: str | None = None
    ) -> Outcome:
        """选档缴费; ``by`` names who is at the screen when it is not the payer (paying for others)."""
        choice = Choice(CHOOSE_TIER, year or self.year, tier)
        self.last = self.driver(channel).pay(self.ref(alias), choice, by=self.ref(by) if by else None)
        return self.last

    def pay_special(self, alias: str, channel: str) -> Outcome:
        self.last = self.driver(channel).pay(self.ref(alias), Choice(SPECIAL))
        return self.last

    def quote_special(self, alias: str, channel: str) -> Outcome:
        self.last = self.driver(channel).quote(self.ref(alias), Choice(SPECIAL))
        return self.last

    def pay_together(
        self, alias: str, channels: tuple[str, ...], *, tier: int = DEFAULT_TIER, year: int | None = None
    ) -> tuple[Outcome, ...]:
        """选档缴费 for the same payer in several channels, every one pressing its confirming button at the
        same moment (see ``protocol.together``); the outcomes in the order of ``channels``."""
        choice = Choice(CHOOSE_TIER, year or self.year, tier)
        return together(*(self.driver(channel).paying(self.ref(alias), choice) for channel in channels))

    def records(self, alias: str, channel: str) -> tuple[Record, ...]:
        return self.driver(channel).records(self.ref(alias))

    # the tier table, receipts, districts ---------------------------------------------------------------------
    def offered_tiers(self, alias: str, channel: str, *, year: int | None = None) -> tuple[int, ...]:
        """The tiers the channel lets the payer choose for 选档缴费 of the year."""
        return self.driver(channel).offered_tiers(self.ref(alias), year or self.year)

    def batch_tiers(self, alias: str, channel: str, *, year: int | None = None) -> tuple[int, ...]:
        return self.batch_driver(channel).batch_tiers(self.ref(alias), year or self.year)

    def receipt_text(self, alias: str, channel: str) -> str:
        """The text of the receipt of the payer's newest payment, as the channel hands it out (a PDF)."""
        driver = self.driver(channel)
        if not hasattr(driver, "receipt"):
            raise AssertionError(f"{channel}没有缴费回执单")
        return pdf_text(driver.receipt(self.ref(alias)))

    def payer_with_id(self, alias: str, id_number: str) -> Payer:
        """A registered, eligible ordinary payer who holds exactly this resident ID number (its county, birth date
        and gender are the number's)."""
        born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        drawn: Payer = self.faker.ningbo_payer(contribution_year=self.year)
        payer = replace(
            drawn,
            id_number=id_number,
            birth_date=born,
            gender="男" if int(id_number[16]) % 2 else "女",
            county_code=id_number[:6],
        )
        self.control.add_payers(self.tenant_id, [payer.to_json()])
        self.payers[alias] = payer
        self.typed[alias] = PayerRef(payer.name, payer.id_number, payer.id_type, payer.phone)
        return payer

    def choose_district(self, channel: str, district: str) -> None:
        """Where the channel asks for the district first (浙里办: 办事服务 → the district), this one from now on."""
        driver = self.driver(channel)
        if hasattr(driver, "district"):
            driver.district = district

    # the app channels' own accounts, and 他人 ------------------------------------------------------------------
    def accounts(self, channel: str, alias: str | None = None) -> AppAccounts:
        """The channel's account pages; on the phone of ``alias`` (a driver of its own) when that is not the one
        the scenario's other steps use."""
        code = channel_code(channel)
        key = code if alias is None else f"{code}:{alias}"
        if key not in self.drivers:
            self.drivers[key] = self.make_driver(code)
        driver = self.drivers[key]
        if not isinstance(driver, AppAccounts):
            fail(f"{channel}没有自己的账号(注册、登录),本规则只适用于宁波税务APP、电子税务局和浙里办APP")
        return driver

    def stop_clock(self, when: str) -> None:
        """The tenant's clock stands at ``when`` (ISO) and moves only when a step lets time pass."""
        self.control.set_clock(self.tenant_id, when, frozen=True)

    def let_pass(self, seconds: float) -> None:
        self.control.advance(self.tenant_id, seconds)

    def authority_of(self, alias: str, channel: str) -> str:
        """The tax bureau the model of the rules says collects the payer's fee through the channel: the district
        chosen in it (浙里办's 办事服务), else the one the payer's county belongs to today."""
        district = getattr(self.drivers.get(channel_code(channel)), "district", None)
        return RuleModel(load_reference()).authority(facts_of(self.payers[alias]), district)

    def move_clock_to(self, day: date) -> None:
        """The tenant's clock moves on to 09:00 of ``day`` and runs from there: every job due on the way runs."""
        self.control.set_clock(self.tenant_id, f"{day.isoformat()}T09:00:00")

    def sms_code(self, alias: str) -> str:
        """The code of the newest text with a code on the person's phone."""
        coded = [m for m in self.sms(alias) if m.get("code")]
        if not coded:
            fail(f"{alias}的手机应收到带验证码的短信,实际没有收到")
        return str(coded[-1]["code"])

    def request_sms_code(self, alias: str, channel: str, *, on_own_phone: bool = False, username: str = "") -> Outcome:
        """注册 → 【获取验证码】 for the person (``on_own_phone``: on their phone, not the scenario's screen;
        ``username``: the 用户名 typed on the form, where it has one)."""
        accounts = self.accounts(channel, alias if on_own_phone else None)
        self.last = accounts.request_sms_code(self.ref(alias), username=username)
        return self.last

    def register(
        self, alias: str, channel: str, *, code: str | None = None, username: str = "", confirm_typo: bool = False
    ) -> Outcome:
        """注册 with ``code`` typed (else the newest code on the person's phone) and ``username`` as 用户名
        (``confirm_typo``: the 确认密码 typed with one character more than the password)."""
        code = code or self.sms_code(alias)
        confirm = password_of(self.ref(alias)) + "9" if confirm_typo else ""
        self.last = self.accounts(channel).register_with(self.ref(alias), code, username=username, confirm=confirm)
        return self.last

    def register_after_wrong_codes(self, alias: str, channel: str, wrong: int) -> Outcome:
        """``wrong`` wrong codes typed one after another (each refused), then the right one."""
        right = self.sms_code(alias)
        typo = f"{(int(right) + 1) % 10**6:06d}"
        for attempt in range(1, wrong + 1):
            tried = self.accounts(channel).register_with(self.ref(alias), typo)
            if tried.status != "refused":
                fail(f"输错的短信验证码应被拒绝,实际第{attempt}次输错时{said(tried)}")
        return self.register(alias, channel, code=right)

    def register_account(self, alias: str, channel: str, *, username: str = "") -> None:
        """The person has an account in the channel (注册 with the SMS code, and ``username`` as 用户名 when given)
        and is logged out."""
        sent = self.request_sms_code(alias, channel, username=username)
        done = self.register(alias, channel, username=username) if sent.status == "sent" else sent
        if done.status != "registered":
            fail(f"{alias}应能在{channel}用短信验证码注册,实际{said(done)}")
        self.accounts(channel).log_out()

    def log_in(self, alias: str, channel: str, *, wrong: bool = False) -> Outcome:
        """登录 with the account's password (``wrong``: one the person mistypes)."""
        password = password_of(self.ref(alias)) + ("9" if wrong else "")
        self.last = self.accounts(channel).log_in_with_password(self.ref(alias), password)
        return self.last

    def mistype(self, alias: str, **typed: str) -> None:
        """What the person at the screen types for the payer differs from the registry: another ``phone``,
        ``name``."""
        self.typed[alias] = replace(self.typed[alias], **typed)

    def retype(self, alias: str) -> None:
        """The payer's details typed again as the registry holds them."""
        payer = self.payers[alias]
        self.typed[alias] = PayerRef(payer.name, payer.id_number, payer.id_type, payer.phone)

    def register_as_typed(self, alias: str, channel: str, *, username: str = "") -> Outcome:
        """注册 with the details typed for the person (see ``mistype``) and ``username`` as 用户名: 【获取验证码】 to
        the typed phone, then the newest code that phone received."""
        sent = self.request_sms_code(alias, channel, username=username)
        if sent.status != "sent":
            return sent
        phone = self.typed[alias].phone
        coded = [m for m in self.control.sms(self.tenant_id, phone) if m.get("code")]
        if not coded:
            fail(f"{alias}注册时输入的手机号码应收到带验证码的短信,实际没有收到")
        self.last = self.accounts(channel).register_with(self.ref(alias), str(coded[-1]["code"]), username=username)
        return self.last

    def someone_elses(self, alias: str, what: str) -> str:
        """A ``phone`` or ``name`` that is not the payer's."""
        own = getattr(self.payers[alias], what)
        make: Callable[[], str] = self.faker.ningbo_mobile if what == "phone" else self.faker.name
        return next(value for value in iter(make, None) if value != own)

    def verify_other(self, alias: str, channel: str, *, by: str, captcha: str = CAPTCHA_SHOWN) -> Outcome:
        """办理对象 他人: ``by`` checks the payer's details as typed, with the 随机验证码 ``captcha`` says."""
        self.last = self.accounts(channel).verify_other(self.ref(alias), by=self.ref(by), captcha=captcha)
        return self.last

    def pay_for_other(
        self, alias: str, channel: str, *, by: str, captcha: str = CAPTCHA_SHOWN, tier: int = DEFAULT_TIER
    ) -> Outcome:
        """选档缴费 for the payer by ``by``, the check of 他人 with the 随机验证码 ``captcha`` says: a refused check
        ends it, a passed one goes on to pay."""
        verified = self.verify_other(alias, channel, by=by, captcha=captcha)
        if verified.status != "verified":
            return verified
        return self.pay_current_year(alias, channel, tier=tier, by=by)

    # the simulator's side ---------------------------------------------------------------------------
    def plan_fault(self, kind: str, **options: Any) -> None:
        """One more fault for the payments to come, after those already planned."""
        self.control.plan_faults(self.tenant_id, [*self.control.faults(self.tenant_id), {"kind": kind, **options}])

    def sign_agreement(self, alias: str = "缴费人", **options: Any) -> dict[str, Any]:
        """签订三方协议 for the payer (协议支付, 缴费批扣定档); ``balance`` in yuan, ``bank``, … are optional."""
        return self.control.sign_agreement(self.tenant_id, self.payers[alias].id_number, **options)

    def revoke_agreement(self, alias: str = "缴费人") -> None:
        """解除 every agreement of the payer."""
        for agreement in self.control.agreements(self.tenant_id):
            if agreement["id_number"] == self.payers[alias].id_number and agreement["status"] == "有效":
                self.control.revoke_agreement(self.tenant_id, agreement["agreement_no"])

    # 缴费批扣定档: a tier chosen in the channel, deducted by the bank's batch run ---------------------------------
    def batch_driver(self, channel: str) -> BatchDeduction:
        driver = self.driver(channel)
        if not isinstance(driver, BatchDeduction):
            fail(f"{channel}应有指南中的【缴费批扣定档】,实际这个渠道没有")
        return driver

    def enrol_batch(self, alias: str, channel: str, *, tier: int = DEFAULT_TIER, year: int | None = None) -> Outcome:
        self.last = self.batch_driver(channel).enrol_batch(self.ref(alias), year or self.year, tier)
        return self.last

    def batch_entries(self, alias: str, channel: str) -> tuple[BatchEntry, ...]:
        return self.batch_driver(channel).batch_entries(self.ref(alias))

    def batch_agreement(self, alias: str, channel: str) -> dict[str, str]:
        """The payer's 三方协议 as 缴费批扣定档 in the channel shows it (开户银行, 银行账号, 三方协议号, 协议状态)."""
        return self.batch_driver(channel).batch_agreement(self.ref(alias))

    def pass_batch_day(self) -> list[dict[str, Any]]:
        """The tenant's clock moves just past the earliest batch day waiting: the bank's run deducts then."""
        waiting = sorted(e["due_on"] for e in self.control.batch_deductions(self.tenant_id) if e["status"] == "待扣款")
        if not waiting:
            fail("银行批量扣款日之前应有一笔“待扣款”的定档,实际没有")
        ran: list[dict[str, Any]] = self.control.set_clock(self.tenant_id, f"{waiting[0]}T00:30:00")["batch_deductions"]
        return ran

    def run_batch_now(self) -> list[dict[str, Any]]:
        """The bank starts a batch deduction now, whatever the day (the control API's trigger)."""
        return self.control.run_batch_deductions(self.tenant_id)

    def ledger(self) -> dict[str, Any]:
        return self.control.ledger(self.tenant_id)

    def deliver_all_notifications(self, within: float = 10.0) -> dict[str, int]:
        """Move the clock past every planned delay and resend, then wait (bounded) for the outbox to drain."""
        self.control.advance(self.tenant_id, 3600)
        return poll(
            lambda: self.ledger()["notifications"], lambda notes: not {"pending", "sending"} & set(notes), within
        )

    def notifications_to(self, channel: str, way: str) -> list[dict[str, str]]:
        """The payment-result notifications the provider ``way`` posted to the channel's back end, oldest first, each
        the fields of its form as the simulator's journal kept them (identifying fields masked)."""
        path = f"/{channel_code(channel)}/api/notify/{self.gateway_code(channel, way)}"
        posted = [e for e in self.control.journal(self.tenant_id) if e["method"] == "POST" and e["path"] == path]
        return [dict(parse_qsl(str(e["request"]), keep_blank_values=True)) for e in reversed(posted)]

    def charges(self) -> list[dict[str, Any]]:
        """What the providers actually took: every paid charge, whatever the provider calls its state."""
        return [c for c in self.ledger()["charges"] if c["paid"]]

    def sms(self, alias: str) -> list[dict[str, Any]]:
        return self.control.sms(self.tenant_id, self.payers[alias].phone)

    # ---- whose order, record and receipt a login may see; second factors of a login (issue 17: access_steps,
    # ---- receipt_steps) ------------------------------------------------------------------------------------------
    def payer_named(self, alias: str, name: str) -> Payer:
        """A registered, eligible ordinary payer of this name."""
        drawn: Payer = self.faker.ningbo_payer(contribution_year=self.year)
        payer = replace(drawn, name=name)
        self.control.add_payers(self.tenant_id, [payer.to_json()])
        self.payers[alias] = payer
        self.typed[alias] = PayerRef(payer.name, payer.id_number, payer.id_type, payer.phone)
        return payer

    def phone_of(self, alias: str, channel: str) -> ChannelDriver:
        """The channel on the person's own phone (or computer): a driver of its own, the same one ``accounts``
        gives for ``alias``; it logs in as that person when used."""
        code = channel_code(channel)
        key = f"{code}:{alias}"
        if key not in self.drivers:
            self.drivers[key] = self.make_driver(code)
            self._share_accounts(code, self.drivers[key])
        return self.drivers[key]

    def _share_accounts(self, code: str, driver: ChannelDriver) -> None:
        """The accounts a channel holds are the channel's, not a phone's: a driver on another phone knows who has
        registered there already (its ``registered``), and logs them in instead of registering them again."""
        known = [d for k, d in self.drivers.items() if k.split(":")[0] == code and d is not driver]
        if known and hasattr(driver, "registered") and hasattr(known[0], "registered"):
            driver.registered = known[0].registered

    def orders_by_number(self, channel: str, alias: str | None = None) -> OrdersByNumber:
        driver = self.driver(channel) if alias is None else self.phone_of(alias, channel)
        if not isinstance(driver, OrdersByNumber):
            fail(f"{channel}的驱动应能按订单号打开和支付订单,实际不能")
        return driver

    def others_records(self, channel: str, alias: str) -> OthersRecords:
        driver = self.phone_of(alias, channel)
        if not isinstance(driver, OthersRecords):
            fail(f"{channel}没有按登录账号查询的已缴费查询和回执单,本规则只适用于宁波税务APP、电子税务局和浙里办APP")
        return driver

    def confirm_unpaid(self, alias: str, channel: str, *, tier: int = DEFAULT_TIER, year: int | None = None) -> Outcome:
        """选档缴费 confirmed up to the ways to pay and left unpaid: the order, with its number."""
        choice = Choice(CHOOSE_TIER, year or self.year, tier)
        self.last = self.orders_by_number(channel).confirm_order(self.ref(alias), choice)
        return self.last

    def confirm_resent(
        self, alias: str, channel: str, *, tier: int = DEFAULT_TIER, year: int | None = None
    ) -> tuple[Outcome, Outcome]:
        """选档缴费 confirmed and left unpaid, its 【确认】 request reaching the channel twice (a network retry): what
        the channel answered each delivery."""
        first = self.confirm_unpaid(alias, channel, tier=tier, year=year)
        driver = self.driver(channel)
        if not isinstance(driver, ResentConfirmation):
            fail(f"{channel}的驱动应能把【确认】的请求原样再送达一次(网络重发),实际不能;本场景只在API驱动上运行")
        self.last = driver.resend_confirmation()
        return first, self.last

    def open_order(self, order_no: str, channel: str, *, by: str) -> Shown:
        """``by`` opens the order of this number in the channel, logged in on their own phone."""
        return self.orders_by_number(channel, by).open_order(order_no, by=self.ref(by))

    def pay_order(self, order_no: str, channel: str, *, by: str) -> Shown:
        """``by`` pays the order of this number in the channel, logged in on their own phone."""
        return self.orders_by_number(channel, by).pay_order(order_no, by=self.ref(by))

    def records_seen(self, alias: str, channel: str, *, by: str) -> Shown:
        """已缴费查询 of ``alias`` by ``by``, in ``by``'s login on their own phone."""
        return self.others_records(channel, by).records_seen(self.ref(alias), by=self.ref(by))

    def receipt_seen(self, order_no: str, channel: str, *, by: str) -> Shown:
        """The receipt of the order of this number, asked for by ``by`` in their login on their own phone."""
        return self.others_records(channel, by).receipt_seen(order_no, by=self.ref(by))

    def records_on_phone(self, alias: str, channel: str, *, by: str) -> tuple[Record, ...]:
        """已缴费查询 of ``alias`` as ``by``'s login on their own phone lists it (``by`` checked them as 他人)."""
        driver = self.phone_of(by, channel)
        if by != alias and not isinstance(driver, AppAccounts):
            fail(f"{channel}没有自己的账号和办理对象他人,本规则只适用于宁波税务APP、电子税务局和浙里办APP")
        return driver.records(self.ref(alias))

    def register_on_own_phone(self, alias: str, channel: str) -> None:
        """The person has an account in the channel, registered on their own phone (or computer), logged out."""
        accounts = self.accounts(channel, alias)
        sent = accounts.request_sms_code(self.ref(alias))
        done = accounts.register_with(self.ref(alias), self.sms_code(alias)) if sent.status == "sent" else sent
        if done.status != "registered":
            fail(f"{alias}应能在{channel}用短信验证码注册,实际{said(done)}")
        accounts.log_out()

    def verify_other_on_phone(self, alias: str, channel: str, *, by: str) -> Outcome:
        """办理对象 他人 on ``by``'s own phone, in their login there."""
        self.phone_of(by, channel)
        return self.accounts(channel, by).verify_other(self.ref(alias), by=self.ref(by))

    def log_out(self, channel: str) -> None:
        """退出登录 on the scenario's screen."""
        self.accounts(channel).log_out()

    def login_factors(self, channel: str, alias: str | None = None) -> LoginFactors:
        driver = self.driver(channel) if alias is None else self.phone_of(alias, channel)
        if not isinstance(driver, LoginFactors):
            fail(f"{channel}登录时没有登录验证(短信验证、扫码),本规则只适用于电子税务局")
        return driver

    def start_login(self, alias: str, channel: str, *, own_computer: bool = False) -> Outcome:
        """登录 with the password up to 登录验证 (``own_computer``: on the person's own, not the scenario's screen)."""
        self.last = self.login_factors(channel, alias if own_computer else None).start_login(self.ref(alias))
        return self.last

    def items_before_verifying(self, alias: str, channel: str) -> Outcome:
        """登录 with the password, 登录验证 skipped, and the person's own insured items asked for all the same: a
        crafted request (see ``protocol.UnverifiedLogin``)."""
        driver = self.login_factors(channel)
        if not isinstance(driver, UnverifiedLogin):
            fail(f"{channel}的驱动应能跳过登录验证直接请求渠道接口,实际不能;本场景只在API驱动上运行")
        self.last = driver.items_before_verifying(self.ref(alias))
        return self.last

    def _tokens(self, channel: str) -> LoginTokens:
        driver = self.accounts(channel)
        if not isinstance(driver, LoginTokens):
            fail(f"{channel}的驱动应能取出登录凭证、用指定的登录凭证请求渠道接口,实际不能;本场景只在API驱动上运行")
        return driver

    def login_token(self, alias: str, channel: str) -> str:
        """The person logged in to the channel: the credential of that login (see ``protocol.LoginTokens``)."""
        return self._tokens(channel).login_token(self.ref(alias))

    def items_with_token(self, alias: str, channel: str, token: str) -> Outcome:
        """The person's own insured items asked for in the channel with ``token`` as the login: a crafted request."""
        self.last = self._tokens(channel).items_with_token(self.ref(alias), token)
        return self.last

    def captcha_picture_of(self, channel: str, captcha_id: str) -> Shown:
        """The 随机验证码 picture of ``captcha_id`` asked for in the channel: a crafted request (see
        ``protocol.CaptchaPictures``)."""
        driver = self.accounts(channel)
        if not isinstance(driver, CaptchaPictures):
            fail(f"{channel}的驱动应能按编号请求随机验证码图片,实际不能;本场景只在API驱动上运行")
        return driver.captcha_picture_of(captcha_id)

    def login_holder(self, channel: str) -> str:
        """Whose login 登录验证 waits for, as the channel shows it (the name, the phone the code goes to)."""
        return self.login_factors(channel).login_holder()

    def request_login_code(self, alias: str, channel: str, *, own_computer: bool = False) -> Outcome:
        """短信验证 → 【获取验证码】 of the login waiting for it."""
        return self.login_factors(channel, alias if own_computer else None).request_login_code()

    def finish_login_with_code(self, channel: str, code: str) -> Outcome:
        self.last = self.login_factors(channel).finish_with_code(code)
        return self.last

    def login_qr(self, channel: str, app: str, *, alias: str | None = None) -> bytes:
        """The picture of the login QR code for ``app`` (taxapp, iit) the login page shows now (on the computer of
        ``alias`` when given)."""
        return self.login_factors(channel, alias).login_qr_picture(app)

    def ask_login_qr_for(self, channel: str, app: str) -> Outcome:
        """A login QR code to be scanned with ``app`` asked for by the login on the scenario's screen: a crafted
        request when ``app`` is none of the page's tabs (see ``protocol.QrTickets``)."""
        driver = self.login_factors(channel)
        if not isinstance(driver, QrTickets):
            fail(f"{channel}的驱动应能为任意扫码APP请求登录二维码,实际不能;本场景只在API驱动上运行")
        self.last = driver.login_qr_for(app)
        return self.last

    def finish_login_with_qr_of(self, channel: str, other: str) -> Outcome:
        """【登录】 of the login on the scenario's screen sent with the QR code of ``other``'s login (on their own
        computer): a crafted request, since no page sends another login's QR code."""
        mine, theirs = self.login_factors(channel), self.login_factors(channel, other)
        if not isinstance(mine, QrTickets) or not isinstance(theirs, QrTickets):
            fail(f"{channel}的驱动应能用指定的二维码发送【登录】,实际不能;本场景只在API驱动上运行")
        self.last = mine.finish_with_ticket(theirs.login_qr_ticket())
        return self.last

    def scan_login_qr(self, picture: bytes, app: str, *, whose: str) -> Outcome:
        """``whose`` phone: ``app`` (taxapp: 税务APP, iit: 个人所得税APP), logged in as that person, scans the picture
        and its user confirms the login. "confirmed", or "refused" with what the app says."""
        payloads = qr_payloads(picture)
        if not payloads:
            fail("登录页上的二维码图片应能被扫码识别,实际识别不出二维码")
        try:
            self.control.scan_etax_login(self.tenant_id, payloads[0], app, id_number=self.payers[whose].id_number)
        except ControlError as error:
            return Outcome("refused", control_message(error))
        return Outcome("confirmed")

    def finish_login_with_scan(self, channel: str, app: str) -> Outcome:
        """【登录】 under the QR code, after the scan (confirmed or not)."""
        self.last = self.login_factors(channel).finish_with_scan(app)
        return self.last

    # ---- payment providers' outcomes, the order's payment deadline, the bank's batch days (issue 17:
    # ---- outcome_steps) -----------------------------------------------------------------------------------------
    def gateway_code(self, channel: str, way: str) -> str:
        """The provider the features name (微信支付, 支付宝, 支付宝扫码/支付宝付款码, 建设银行, 协议支付), which the
        channel must offer."""
        code = PROVIDERS.get(way)
        offered = channels.channel(channel).gateways
        if code is None or code not in offered:
            names = "、".join(name for name, c in PROVIDERS.items() if c in offered)
            fail(f"{channel}提供的支付方式为{names},没有“{way}”")
        return code

    def pay_with(
        self,
        alias: str,
        channel: str,
        way: str,
        *,
        tier: int = DEFAULT_TIER,
        year: int | None = None,
        at_cashier: str = PAY_AT_CASHIER,
        meanwhile: Meanwhile | None = None,
    ) -> Outcome:
        """选档缴费 through the provider ``way``; at its cashier the person pays, or presses 取消支付 (``at_cashier``);
        ``meanwhile`` is what happens while they pause (see ``protocol.pause``)."""
        choice = Choice(
            CHOOSE_TIER, year or self.year, tier, self.gateway_code(channel, way), at_cashier, meanwhile=meanwhile
        )
        self.last = self.driver(channel).pay(self.ref(alias), choice)
        return self.last

    def cancel_at_cashier(
        self, alias: str, channel: str, way: str, *, tier: int = DEFAULT_TIER, year: int | None = None
    ) -> Outcome:
        return self.pay_with(alias, channel, way, tier=tier, year=year, at_cashier=CANCEL_AT_CASHIER)

    def pay_again_from_channel(
        self, alias: str, channel: str, way: str, *, tier: int = DEFAULT_TIER, year: int | None = None
    ) -> Outcome:
        """At the provider's cashier the person goes back to the channel, presses 确认缴费 with the same way again and
        pays at the cashier that opens."""
        return self.pay_with(alias, channel, way, tier=tier, year=year, at_cashier=AGAIN_AT_CASHIER)

    def scan_saved_code(self, alias: str, channel: str) -> Outcome:
        """The payment code saved at the payer's last 支付宝扫码 in the channel, scanned again with Alipay."""
        driver = self.driver(channel)
        if not isinstance(driver, SavedPaymentCode):
            fail(f"{channel}应有指南中的支付宝扫码(保存付款码图片后用支付宝扫码),实际这个渠道没有")
        self.last = driver.scan_saved_code(self.ref(alias))
        return self.last

    def pay_after_confirming_elsewhere(
        self, alias: str, channel: str, way: str, other: str, *, tier: int = DEFAULT_TIER, year: int | None = None
    ) -> Outcome:
        """选档缴费 through ``way``; while the person is at its cashier, the same bill is confirmed in ``other`` (a new
        order there takes it over), then they press the first cashier's pay button."""
        elsewhere: list[Outcome] = []

        def confirm_elsewhere(moment: str) -> None:
            if moment == AT_CASHIER and not elsewhere:
                elsewhere.append(self.confirm_unpaid(alias, other, tier=tier, year=year))

        outcome = self.pay_with(alias, channel, way, tier=tier, year=year, meanwhile=confirm_elsewhere)
        if not elsewhere or elsewhere[0].status != "confirmed":
            fail(
                f"停在{channel}的{way}收银台时,在{other}确认同一笔费款应得到一笔新订单,"
                f"实际{said(elsewhere[0]) if elsewhere else '没有到达收银台'}"
            )
        return outcome

    def set_order_deadline(self, minutes: int) -> None:
        """The payment deadline of an order (reference data the QA team supplies: ``order_ttl_minutes``)."""
        self.order_deadline = minutes

    def _deadline(self) -> int:
        if not self.order_deadline:
            fail("场景应先给出订单的支付期限(如“订单的支付期限为120分钟”),实际没有给出")
        return self.order_deadline

    def pay_late(
        self,
        alias: str,
        channel: str,
        way: str,
        *,
        past: bool,
        at_cashier_only: bool = False,
        tier: int = DEFAULT_TIER,
        year: int | None = None,
        at_cashier: str = PAY_AT_CASHIER,
    ) -> Outcome:
        """选档缴费 confirmed, then the person waits before paying: just past the order's payment deadline
        (``past``) or a minute short of it. They wait at the first pause the channel has (its ways to pay, or the
        cashier where 确认 goes straight there), or at the cashier only (``at_cashier_only``); there they pay, or
        press 取消支付 (``at_cashier``)."""
        seconds = self._deadline() * 60 + (60 if past else -60)
        waited: list[str] = []

        def wait(moment: str) -> None:
            if not waited and (moment == AT_CASHIER or not at_cashier_only):
                waited.append(moment)
                self.let_pass(seconds)

        outcome = self.pay_with(alias, channel, way, tier=tier, year=year, at_cashier=at_cashier, meanwhile=wait)
        if not waited and outcome.status != "refused":
            fail(f"在{channel}用{way}支付时应有一个可以停留的页面(选择支付方式或收银台),实际没有")
        return outcome

    def set_batch_days(self, days: list[date]) -> None:
        """The bank's batch-deduction days of the year (reference data the QA team supplies)."""
        self.batch_days = sorted(days)

    def clock_at(self, when: datetime) -> None:
        """The tenant's clock moves to ``when`` and runs on from there; every job due on the way runs."""
        self.control.set_clock(self.tenant_id, when.isoformat(timespec="seconds"))

    def now(self) -> datetime:
        return datetime.fromisoformat(str(self.control.clock(self.tenant_id)["now"]))

    def next_batch_day(self) -> date:
        """The first of the given batch days still ahead of the tenant's clock (its run is at midnight)."""
        if not self.batch_days:
            fail("场景应先给出银行批量扣款日(如“2024年度的银行批量扣款日为3月20日、6月20日……”),实际没有给出")
        now = self.now()
        ahead = [day for day in self.batch_days if datetime.combine(day, time()) > now]
        if not ahead:
            fail(f"{now:%Y年%m月%d日}之后应还有银行批量扣款日,实际给出的扣款日都已过去")
        return ahead[0]

    def let_providers_answer(self) -> dict[str, int]:
        """Time passes until every provider has answered: late answers, late notifications and the reconciler's
        queries are done."""
        return self.deliver_all_notifications()

    def agreement_balance(self, alias: str = "缴费人") -> str:
        """What is left on the payer's agreement account, in yuan."""
        mine = [a for a in self.control.agreements(self.tenant_id) if a["id_number"] == self.payers[alias].id_number]
        if not mine:
            fail(f"{alias}应已签订三方协议,实际没有")
        return str(mine[-1]["balance"])

"""The protocol every channel driver speaks, in domain words: no Gherkin above it, no HTTP or pages in it."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from reports.masking import mask_text

CHOOSE_TIER = "选档缴费"
SPECIAL = "特殊缴费"


@dataclass(frozen=True)
class PayerRef:
    name: str
    id_number: str
    id_type: str = "居民身份证"
    phone: str = ""

    def __repr__(self) -> str:
        return f"PayerRef({self.name} {self.id_type} {mask_text(self.id_number)})"


# What the person presses at a provider's cashier: its pay button, or 取消支付.
PAY_AT_CASHIER, CANCEL_AT_CASHIER = "pay", "cancel"
# At the cashier (or at what the channel said once the provider was asked: 协议支付) the person goes back to the
# channel's ways to pay, presses 确认缴费 with the same way again and pays at the cashier that opens then.
AGAIN_AT_CASHIER = "again"
# The moments a person may pause while paying, for the world to move on (a clock past a deadline): ORDERED, the order
# confirmed and the channel's ways to pay shown (channels that show them); AT_CASHIER, the provider's cashier shown
# and nothing pressed yet.
ORDERED, AT_CASHIER = "ordered", "at_cashier"
Meanwhile = Callable[[str], None]


@dataclass(frozen=True)
class Choice:
    pay_type: str
    year: int | None = None
    tier: int | None = None
    gateway: str | None = None  # None: the channel's usual payment way
    at_cashier: str = PAY_AT_CASHIER  # what the person presses at the provider's cashier
    meanwhile: Meanwhile | None = field(default=None, compare=False)  # called at each moment the person pauses


def pause(choice: Choice | None, moment: str) -> None:
    """The person pauses at ``moment`` (ORDERED, AT_CASHIER): whatever the choice lets happen meanwhile, happens."""
    if choice is not None and choice.meanwhile is not None:
        choice.meanwhile(moment)


@dataclass(frozen=True)
class Line:
    year: int
    kind: str
    amount: str


@dataclass(frozen=True)
class Outcome:
    """How an attempt to pay ended: paid, refused (with the message shown), failed or still pending."""

    status: str
    message: str = ""
    order_no: str = ""
    amount: str = ""
    lines: tuple[Line, ...] = field(default=())

    @property
    def paid(self) -> bool:
        return self.status == "paid"


@dataclass(frozen=True)
class Record:
    year: int
    kind: str
    amount: str
    ticket_no: str
    government: str | None = None  # 政府代缴, where the channel's records show it (None: not shown)
    paid_at: str | None = None  # 缴费时间 to the second (2024-03-01 09:00:00), where the records show it


@dataclass(frozen=True)
class Items:
    """The payer's insured items as the channel lists them, or the refusal to list them."""

    names: tuple[str, ...] = ()
    message: str = ""
    statuses: tuple[str, ...] = ()  # what the channel shows beside each name: 待缴费, 已缴费, …

    def status_of(self, name: str) -> str:
        return dict(zip(self.names, self.statuses, strict=True)).get(name, "")


@dataclass(frozen=True)
class BatchEntry:
    """A 缴费批扣定档 enrolment as the channel shows it: the tier chosen and how the bank's deduction went."""

    year: int
    tier: int
    status: str  # 待扣款, 已扣款 or 扣款失败
    message: str = ""
    # 扣款日, YYYY-MM-DD: the day the bank's run ended it (已扣款, 扣款失败), else the day it is due
    day: str = field(default="", compare=False)


Paying = Generator[None, None, Outcome]
"""A payment walked in three stretches: up to the brink (everything before the press that confirms the order),
the press itself (made without waiting for its answer), and the rest up to the outcome. The generator stops
after each of the first two; it may end early, with a refusal, before the brink. Two of them interleaved by
``together`` confirm at the same moment; ``through`` walks one straight."""


def through(paying: Paying) -> Outcome:
    """Walk one payment from start to outcome."""
    while True:
        try:
            next(paying)
        except StopIteration as done:  # a generator's return value rides on its StopIteration
            outcome: Outcome = done.value
            return outcome


def together(*payments: Paying) -> tuple[Outcome, ...]:
    """Walk every payment to its brink, press them all at once, then follow each to its outcome."""
    ended: dict[int, Outcome] = {}
    for _stretch in ("to the brink", "the press"):
        for i, paying in enumerate(payments):
            if i not in ended:
                try:
                    next(paying)
                except StopIteration as done:
                    ended[i] = done.value
    return tuple(ended[i] if i in ended else through(paying) for i, paying in enumerate(payments))


class Senses(Protocol):
    """What the person at a channel perceives outside its pages: the texts on their phone and what a picture
    of a random code shows. A test reads them through the simulator's control API."""

    def sms_code(self, phone: str) -> str:
        """The code of the newest text with a code sent to this phone."""

    def captcha_text(self, captcha_id: str) -> str:
        """What the random-code picture with this id shows."""


class ChannelDriver(Protocol):
    channel: str

    def insured_items(self, payer: PayerRef) -> Items: ...

    def quote(self, payer: PayerRef, choice: Choice) -> Outcome:
        """What the channel shows before submitting: the lines and amount, or the refusal."""

    def pay(self, payer: PayerRef, choice: Choice, *, by: PayerRef | None = None) -> Outcome:
        """The whole way from the payer's identity to the provider's result page. ``by`` is who is at the
        screen when someone pays for the payer (None: the payer themself). ``through(self.paying(...))``."""

    def paying(self, payer: PayerRef, choice: Choice, *, by: PayerRef | None = None) -> Paying:
        """The same way as ``pay``, in the three stretches of ``Paying``."""

    def records(self, payer: PayerRef) -> tuple[Record, ...]: ...

    def offered_tiers(self, payer: PayerRef, year: int) -> tuple[int, ...]:
        """The tiers (yuan) the channel lets the payer choose for 选档缴费 of the year, in the order it shows them;
        () when it offers that year no tier."""


class Receipts(Protocol):
    """A channel that hands out receipts (打印缴费回执单, 社保费电子缴款回执单)."""

    def receipt(self, payer: PayerRef) -> bytes:
        """The receipt of the payer's newest payment: the PDF."""


@runtime_checkable  # a step asks whether the channel has it
class BatchDeduction(Protocol):
    """A channel where a payer with a bank agreement picks a tier and waits for the bank (Alipay's 缴费批扣定档)."""

    def enrol_batch(self, payer: PayerRef, year: int, tier: int) -> Outcome:
        """确认 the tier for the payer themself: status "enrolled" with the page's words, or "refused"."""

    def batch_entries(self, payer: PayerRef) -> tuple[BatchEntry, ...]:
        """The payer's enrolments, newest first, as the channel lists them."""

    def batch_tiers(self, payer: PayerRef, year: int) -> tuple[int, ...]:
        """The tiers (yuan) 缴费批扣定档 lets the payer choose for the year; () when none."""

    def batch_agreement(self, payer: PayerRef) -> dict[str, str]:
        """The payer's 三方协议 as 缴费批扣定档 shows it: 开户银行, 银行账号 (masked), 三方协议号, 协议状态."""


@runtime_checkable  # a step asks whether the channel has it
class SavedPaymentCode(Protocol):
    """A channel whose 支付宝扫码 shows a payment code the person saves (截屏, 保存图片) and scans with Alipay."""

    def scan_saved_code(self, payer: PayerRef) -> Outcome:
        """Scan the picture saved at the payer's last 支付宝扫码 again with the Alipay app and pay at the cashier it
        opens: "paid", or "refused" with what Alipay says."""


CAPTCHA_SHOWN = "图片上的随机验证码"
CAPTCHA_MISREAD = "与图片不符的随机验证码"
CAPTCHA_AGAIN = "上次核验用过的随机验证码"


def misread(code: str) -> str:
    """The code with its first character read wrong (still a letter a random-code picture may show)."""
    return ("B" if code[:1] == "A" else "A") + code[1:]


@runtime_checkable  # a step asks whether the channel has it
class AppAccounts(Protocol):
    """What a person does with an app channel's own account (宁波税务APP, 电子税务局, 浙里办APP) and its 办理对象
    他人. Each verb ends with what the page said: an Outcome "sent", "registered", "logged_in", "verified" or
    "refused" (with the page's message)."""

    def request_sms_code(self, person: PayerRef, *, username: str = "") -> Outcome:
        """注册: the form filled in for the person (``username``: the optional 用户名 where the form has one),
        【获取验证码】 to their phone; the form stays open ("sent")."""

    def register_with(self, person: PayerRef, sms_code: str, *, username: str = "", confirm: str = "") -> Outcome:
        """注册 with ``sms_code`` typed as the 短信验证码, on the person's form left open (else filled in anew, with
        ``username`` as 用户名 when given); ``confirm``, when given, is typed as 确认密码 instead of the password."""

    def log_in_with_password(self, person: PayerRef, password: str) -> Outcome:
        """登录 with the person's account and ``password``; where a second factor follows, it is done too."""

    def log_out(self) -> None:
        """退出登录, when someone is logged in."""

    def verify_other(self, payer: PayerRef, *, by: PayerRef, captcha: str = CAPTCHA_SHOWN) -> Outcome:
        """``by`` logged in, 办理对象 他人: the payer's details as ``payer`` holds them and the 随机验证码 ``captcha``
        says (what the picture shows; one character misread; or the code of the last check again: over HTTP with
        that picture, on the page where a new picture now shows), 【下一步】 ("verified")."""


# Whose order, record and receipt a login may see and pay; second factors of a login --------------------------------
@dataclass(frozen=True)
class Shown:
    """What a channel answered a person who asked for something (an order, records, a receipt): whether it refused,
    the message it gave, and all the text it showed (the page, the answer or the receipt), to look for the payer in."""

    refused: bool
    message: str = ""
    text: str = ""


@runtime_checkable  # a step asks whether the channel has it
class OrdersByNumber(Protocol):
    """What a person can do with an order number in a channel: confirm an order and leave it unpaid, and open or
    pay an order by its number as the person logged in (``by``: their own login on their own phone)."""

    def confirm_order(self, payer: PayerRef, choice: Choice) -> Outcome:
        """The payer's order confirmed up to the ways to pay, and left unpaid: "confirmed" with its number."""

    def open_order(self, order_no: str, *, by: PayerRef) -> Shown:
        """The channel's 缴费结果 of the order (its result page; ``GET …/api/orders/{no}``), to ``by``."""

    def pay_order(self, order_no: str, *, by: PayerRef) -> Shown:
        """``by`` pays the order of this number through the channel's usual provider, a request replayed with their
        own login: the channel's answer. Where it lets them through, they go on to the provider (the API drivers
        also confirm there)."""


@runtime_checkable  # a step asks whether the driver can
class QrTickets(Protocol):
    """The 电子税务局's API driver only: the ticket of the login QR code shown last, and 【登录】 sent with a ticket of
    one's choosing (a crafted request: no page sends another login's ticket)."""

    def login_qr_ticket(self) -> str:
        """The ticket of the login QR code this driver's login page showed last."""

    def finish_with_ticket(self, ticket: str) -> Outcome:
        """【登录】 of this driver's login, sent with ``ticket``."""

    def login_qr_for(self, app: str) -> Outcome:
        """A login QR code asked for to be scanned with ``app`` (a name of one's choosing, not only the page's two
        tabs): "sent" when the channel issued one, else "refused" with its message."""


@runtime_checkable  # a step asks whether the driver can
class UnverifiedLogin(Protocol):
    """The 电子税务局's API driver only: a login whose 登录验证 is left undone, asking for business all the same (a
    crafted request: no page offers business before 登录验证, a typed address goes back to 登录)."""

    def items_before_verifying(self, person: PayerRef) -> Outcome:
        """登录 with the person's password, 登录验证 skipped, and 查询 of the person's own insured items sent: "refused"
        with the channel's message, or "logged_in" when the channel answered as to a whole login."""


@runtime_checkable  # a step asks whether the driver can
class LoginTokens(Protocol):
    """The app channels' API drivers only: the credential a login travels with (``X-App-Token``), and a request sent
    with a credential of one's choosing (a crafted request: a page sends only its own channel's live login)."""

    def login_token(self, person: PayerRef) -> str:
        """The person logged in (registered first if new here): the credential of this login."""

    def items_with_token(self, person: PayerRef, token: str) -> Outcome:
        """查询 of the person's own insured items sent with ``token`` as the login: "refused" with the channel's
        message, or "logged_in" when the channel answered as to a live login of its own."""


@runtime_checkable  # a step asks whether the driver can
class CaptchaPictures(Protocol):
    """The app channels' API drivers only: the 随机验证码 picture of an id of one's choosing (a crafted request: a
    page loads only the picture the channel has just given it)."""

    def captcha_picture_of(self, captcha_id: str) -> Shown:
        """The picture of this id, asked for as the page asks for one: refused with the channel's message, or shown."""


@runtime_checkable  # a step asks whether the driver can
class ResentConfirmation(Protocol):
    """A 【确认】 request that reaches the channel twice (a network retry): the API drivers only, no page shows it."""

    def resend_confirmation(self) -> Outcome:
        """The last 【确认】 request delivered once more exactly as it was, 提交编号 (idempotency key) and all."""


@runtime_checkable  # a step asks whether the channel has it
class OthersRecords(Protocol):
    """An app channel's 已缴费查询 and receipts as someone logged in asks for another person's."""

    def records_seen(self, payer: PayerRef, *, by: PayerRef) -> Shown:
        """已缴费查询 of ``payer`` by ``by`` in their current login (logged in if not yet): refused, or the records."""

    def receipt_seen(self, order_no: str, *, by: PayerRef) -> Shown:
        """The receipt of the order of this number, asked for by ``by`` (logged in if not yet)."""


@runtime_checkable  # a step asks whether the channel has it
class LoginFactors(Protocol):
    """登录验证 after the password (电子税务局): 短信验证 or a QR code a tax app scans. Each verb ends with what the
    page said: "second_factor" (waiting for it), "sent", "logged_in" or "refused"."""

    def start_login(self, person: PayerRef) -> Outcome:
        """登录 with the person's account and password, up to 登录验证 ("second_factor")."""

    def request_login_code(self) -> Outcome:
        """短信验证 → 【获取验证码】: a code to the account's phone ("sent")."""

    def finish_with_code(self, sms_code: str) -> Outcome:
        """短信验证 with ``sms_code`` typed → 【登录】."""

    def login_qr_picture(self, app: str) -> bytes:
        """The QR code of 税务APP扫码 (``taxapp``) or 个人所得税APP扫码 (``iit``), as a picture (PNG)."""

    def finish_with_scan(self, app: str) -> Outcome:
        """【登录】 under the QR code of ``app``, once a phone confirmed it (or not)."""

    def login_holder(self) -> str:
        """Whose login 登录验证 waits for, as the page shows it: the account's name and the phone the code goes to."""

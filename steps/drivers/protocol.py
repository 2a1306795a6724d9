"""The protocol every channel driver speaks, in domain words: no Gherkin above it, no HTTP or pages in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

CHOOSE_TIER = "选档缴费"
SPECIAL = "特殊缴费"


@dataclass(frozen=True)
class PayerRef:
    name: str
    id_number: str
    id_type: str = "居民身份证"
    phone: str = ""


@dataclass(frozen=True)
class Choice:
    pay_type: str
    year: int | None = None
    tier: int | None = None
    gateway: str | None = None  # None: the channel's usual payment way


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


@dataclass(frozen=True)
class Items:
    """The payer's insured items as the channel lists them, or the refusal to list them."""

    names: tuple[str, ...] = ()
    message: str = ""


@dataclass(frozen=True)
class BatchEntry:
    """A 缴费批扣定档 enrolment as the channel shows it: the tier chosen and how the bank's deduction went."""

    year: int
    tier: int
    status: str  # 待扣款, 已扣款 or 扣款失败
    message: str = ""


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
        screen when someone pays for the payer (None: the payer themself)."""

    def records(self, payer: PayerRef) -> tuple[Record, ...]: ...


class BatchDeduction(Protocol):
    """A channel where a payer with a bank agreement picks a tier and waits for the bank (Alipay's 缴费批扣定档)."""

    def enrol_batch(self, payer: PayerRef, year: int, tier: int) -> Outcome:
        """确认 the tier for the payer themself: status "enrolled" with the page's words, or "refused"."""

    def batch_entries(self, payer: PayerRef) -> tuple[BatchEntry, ...]:
        """The payer's enrolments, newest first, as the channel lists them."""

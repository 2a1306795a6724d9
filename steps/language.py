"""The domain language the Chinese steps speak: payers, payments, records, faults. It fills every default
a scenario does not mention, and reaches the channels only through their drivers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from faker import Faker

from fixtures.payers import Payer
from fixtures.simulator import SimControl
from fixtures.waiting import poll
from steps.drivers.protocol import (
    CHOOSE_TIER,
    SPECIAL,
    BatchDeduction,
    BatchEntry,
    ChannelDriver,
    Choice,
    Items,
    Outcome,
    PayerRef,
    Record,
    together,
)

CHANNELS = {
    "微信公众号": "wechat",
    "支付宝小程序": "alipay",
    "宁波税务APP": "taxapp",
    "电子税务局": "etax",
    "浙里办APP": "zheliban",
}
DEFAULT_TIER = 300


def channel_code(name: str) -> str:
    return CHANNELS.get(name, name)


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

    def __repr__(self) -> str:  # a step parameter in the report: who is paying, masked
        who = "; ".join(f"{alias} {payer!r}" for alias, payer in self.payers.items())
        return f"PensionPayments(租户 {self.tenant_id}; {who or '尚无缴费人'})"

    # payers -----------------------------------------------------------------------------------------
    def payer(self, alias: str = "缴费人", *, registered: bool = True, **traits: Any) -> Payer:
        """A payer of the tenant; everything not named is an eligible ordinary payer of the current year."""
        payer = self.faker.ningbo_payer(contribution_year=self.year, **traits)
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

    def pay_current_year(self, alias: str, channel: str, *, tier: int = DEFAULT_TIER,
                         year: int | None = None, by: str | None = None) -> Outcome:
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

    def pay_together(self, alias: str, channels: tuple[str, ...], *, tier: int = DEFAULT_TIER,
                     year: int | None = None) -> tuple[Outcome, ...]:
        """选档缴费 for the same payer in several channels, every one pressing its confirming button at the
        same moment (see ``protocol.together``); the outcomes in the order of ``channels``."""
        choice = Choice(CHOOSE_TIER, year or self.year, tier)
        return together(*(self.driver(channel).paying(self.ref(alias), choice) for channel in channels))

    def records(self, alias: str, channel: str) -> tuple[Record, ...]:
        return self.driver(channel).records(self.ref(alias))

    # the simulator's side ---------------------------------------------------------------------------
    def plan_fault(self, kind: str, **options: Any) -> None:
        self.control.plan_faults(self.tenant_id, [{"kind": kind, **options}])

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
        if not hasattr(driver, "enrol_batch"):
            raise AssertionError(f"{channel}没有【缴费批扣定档】")
        return driver  # type: ignore[return-value]

    def enrol_batch(self, alias: str, channel: str, *, tier: int = DEFAULT_TIER, year: int | None = None) -> Outcome:
        self.last = self.batch_driver(channel).enrol_batch(self.ref(alias), year or self.year, tier)
        return self.last

    def batch_entries(self, alias: str, channel: str) -> tuple[BatchEntry, ...]:
        return self.batch_driver(channel).batch_entries(self.ref(alias))

    def pass_batch_day(self) -> list[dict[str, Any]]:
        """The tenant's clock moves just past the earliest batch day waiting: the bank's run deducts then."""
        waiting = sorted(e["due_on"] for e in self.control.batch_deductions(self.tenant_id) if e["status"] == "待扣款")
        assert waiting, "没有等待银行批量扣款的定档"
        return self.control.set_clock(self.tenant_id, f"{waiting[0]}T00:30:00")["batch_deductions"]

    def run_batch_now(self) -> list[dict[str, Any]]:
        """The bank starts a batch deduction now, whatever the day (the control API's trigger)."""
        return self.control.run_batch_deductions(self.tenant_id)

    def ledger(self) -> dict[str, Any]:
        return self.control.ledger(self.tenant_id)

    def deliver_all_notifications(self, within: float = 10.0) -> dict[str, int]:
        """Move the clock past every planned delay and resend, then wait (bounded) for the outbox to drain."""
        self.control.advance(self.tenant_id, 3600)
        return poll(lambda: self.ledger()["notifications"], lambda notes: not {"pending", "sending"} & set(notes),
                    within)

    def charges(self) -> list[dict[str, Any]]:
        """What the providers actually took: every paid charge, whatever the provider calls its state."""
        return [c for c in self.ledger()["charges"] if c["paid"]]

    def sms(self, alias: str) -> list[dict[str, Any]]:
        return self.control.sms(self.tenant_id, self.payers[alias].phone)

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
    ChannelDriver,
    Choice,
    Items,
    Outcome,
    PayerRef,
    Record,
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

    def records(self, alias: str, channel: str) -> tuple[Record, ...]:
        return self.driver(channel).records(self.ref(alias))

    # the simulator's side ---------------------------------------------------------------------------
    def plan_fault(self, kind: str, **options: Any) -> None:
        self.control.plan_faults(self.tenant_id, [{"kind": kind, **options}])

    def ledger(self) -> dict[str, Any]:
        return self.control.ledger(self.tenant_id)

    def deliver_all_notifications(self, within: float = 10.0) -> dict[str, int]:
        """Move the clock past every planned delay and resend, then wait (bounded) for the outbox to drain."""
        self.control.advance(self.tenant_id, 3600)
        return poll(lambda: self.ledger()["notifications"], lambda notes: not {"pending", "sending"} & set(notes),
                    within)

    def charges(self, state: str = "SUCCESS") -> list[dict[str, Any]]:
        return [c for c in self.ledger()["charges"] if c["state"] == state]

    def sms(self, alias: str) -> list[dict[str, Any]]:
        return self.control.sms(self.tenant_id, self.payers[alias].phone)

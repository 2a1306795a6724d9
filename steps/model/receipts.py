"""What a receipt of a payment must print (宁波税务APP and 浙里办APP 【打印缴费回执单】, 电子税务局
【社保费电子缴款回执单】): its title, the payer's name and masked ID number, the insurance, a line per year with the
fee period, the kind, what the payer paid and what the government paid, the total in figures and in capital figures,
and the tax bureau."""

from __future__ import annotations

from dataclasses import dataclass

from fixtures.money import capital
from steps.model.rules import INSURANCE, PayerFacts, yuan
from steps.model.world import RecordFacts

TITLES = {"taxapp": "缴费回执单", "etax": "社保费电子缴款回执单", "zheliban": "缴费回执单"}  # the guide's names


@dataclass(frozen=True)
class ReceiptFacts:
    title: str
    name: str
    masked_id: str
    insurance: str
    rows: tuple[tuple[str, str, str, str], ...]  # 费款所属期起止, 缴费类型, 个人缴费(元), 政府代缴(元)
    total: str
    total_capital: str
    authority: str


def masked(id_number: str) -> str:
    """The first six and the last four characters, the eight between hidden (隐去中间八位)."""
    return id_number[:6] + "*" * 8 + id_number[-4:]


def receipt(channel: str, payer: PayerFacts, payment: tuple[RecordFacts, ...]) -> ReceiptFacts:
    total = sum(r.amount_fen for r in payment)
    return ReceiptFacts(
        title=TITLES[channel],
        name=payer.name,
        masked_id=masked(payer.id_number),
        insurance=INSURANCE,
        rows=tuple(
            (f"{r.year}-01-01 至 {r.year}-12-31", r.kind, yuan(r.amount_fen), yuan(r.government_fen)) for r in payment
        ),
        total=yuan(total),
        total_capital=capital(yuan(total)),
        authority=payment[-1].authority if payment else "",
    )

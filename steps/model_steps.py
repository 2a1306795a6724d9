"""Steps whose expected values the model of the rules works out from the payer the scenario created (his name, his
masked ID number, the tax bureau of his county), so that a scenario the explorer writes holds for any payer of the
kind it names."""

from __future__ import annotations

from pytest_bdd import parsers, then

from fixtures.receipts import read
from steps.expect import expect
from steps.language import PensionPayments
from steps.model.receipts import masked


@then("回执单上是他的姓名和隐去中间八位的证件号码")
def _(payments: PensionPayments, receipt: dict[str, str]) -> None:
    payer = payments.payers["缴费人"]
    printed = read(receipt["text"])
    where = f"{receipt['channel']}缴费回执单"
    expect(printed.name, payer.name, f"{where}上的缴费人姓名", why="回执单写明缴费人")
    expect(printed.masked_id, masked(payer.id_number), f"{where}上的证件号码", why="证件号码隐去中间八位")


@then(parsers.re(r"回执单上的税务机关是(?P<whose>他所在区县|所选地区)的税务局$"))
def _(payments: PensionPayments, receipt: dict[str, str], whose: str) -> None:
    expected = payments.authority_of("缴费人", receipt["channel"])
    expect(
        read(receipt["text"]).authority,
        expected,
        f"{receipt['channel']}缴费回执单上的税务机关",
        why=f"{whose}的税务局收取这笔费款",
    )

"""The Chinese vocabulary of 缴费批扣定档 (features/rules/batch_deduction.feature): bank agreements, the tier a
payer picks in the channel and the bank's batch run. Each step calls the domain language only."""

from __future__ import annotations

from typing import Any

from pytest_bdd import given, parsers, then, when

from steps import expect as shown
from steps.drivers.protocol import BatchEntry
from steps.expect import expect, fail
from steps.guide_steps import years
from steps.language import PensionPayments


def _agreed(payments: PensionPayments, balance: str, **traits: Any) -> None:
    payments.payer(**traits)
    payments.sign_agreement(balance=balance)


# 假如 ----------------------------------------------------------------------------------------------------
@given(parsers.re(r"一位已参保、没有补缴费款的缴费人,已签订三方协议,账户余额(?P<balance>\d+)元$"))
def _(payments: PensionPayments, balance: str) -> None:
    _agreed(payments, balance)


@given(parsers.re(r"一位有(?P<arrears>[\d年度和、]+)补缴费款的缴费人,已签订三方协议,账户余额(?P<balance>\d+)元$"))
def _(payments: PensionPayments, arrears: str, balance: str) -> None:
    _agreed(payments, balance, arrears_years=years(arrears))


@given(parsers.re(r"一位已参保、没有补缴费款的缴费人,已在(?P<bank>.+?)签订三方协议,银行账号为(?P<account>\d+)$"))
def _(payments: PensionPayments, bank: str, account: str) -> None:
    payments.payer()
    payments.sign_agreement(bank=bank, account=account, balance="1000")


@given(parsers.re(r"他已在(?P<channel>.+?)缴费批扣定档选择(?P<year>\d{4})年度(?P<tier>\d+)元档次$"))
def _(payments: PensionPayments, channel: str, year: str, tier: str) -> None:
    outcome = payments.enrol_batch("缴费人", channel, tier=int(tier), year=int(year))
    if outcome.status != "enrolled":
        fail(f"在{channel}缴费批扣定档选择{year}年度{tier}元档次应定档成功,实际{shown.said(outcome)}")


@given("他的三方协议已解除")
def _(payments: PensionPayments) -> None:
    payments.revoke_agreement()


# 当 ------------------------------------------------------------------------------------------------------
@when(parsers.re(r"他在(?P<channel>.+?)缴费批扣定档选择(?P<year>\d{4})年度(?P<tier>\d+)元档次$"))
def _(payments: PensionPayments, channel: str, year: str, tier: str) -> None:
    payments.enrol_batch("缴费人", channel, tier=int(tier), year=int(year))


@when("银行批量扣款日到了")
def _(payments: PensionPayments) -> None:
    payments.pass_batch_day()


@when("银行立即发起批量扣款")
def _(payments: PensionPayments) -> None:
    payments.run_batch_now()


# 那么 ----------------------------------------------------------------------------------------------------
@then(parsers.re(r"定档被拒绝,提示“(?P<message>.+)”$"))
def _(payments: PensionPayments, message: str) -> None:
    last = payments.last
    if last is None or last.status != "refused":
        fail(f"定档应被拒绝并提示“{message}”,实际{shown.said(last)}")
    if message not in last.message:
        fail(f"拒绝定档的提示应包含“{message}”,实际为“{last.message}”")


@then(
    parsers.re(
        r"他在(?P<channel>.+?)的批扣记录显示(?P<year>\d{4})年度(?P<tier>\d+)元“(?P<status>.+?)”"
        r"(?:,说明“(?P<message>.+)”)?$"
    )
)
def _(payments: PensionPayments, channel: str, year: str, tier: str, status: str, message: str | None) -> None:
    entries = payments.batch_entries("缴费人", channel)
    expect(
        list(entries),
        [BatchEntry(int(year), int(tier), status, entries[0].message if entries else "")],
        f"{channel}的批扣记录",
        show=_entries,
    )
    if message is not None and message not in entries[0].message:
        fail(f"{channel}批扣记录“{status}”的说明应包含“{message}”,实际为“{entries[0].message}”")


@then(
    parsers.re(
        r"他在(?P<channel>.+?)的【缴费批扣定档】显示开户银行为(?P<bank>.+?)、银行账号为“(?P<account>.+?)”、"
        r"协议状态为“(?P<status>.+?)”$"
    )
)
def _(payments: PensionPayments, channel: str, bank: str, account: str, status: str) -> None:
    shown = payments.batch_agreement("缴费人", channel)
    expect(
        (shown.get("开户银行"), shown.get("银行账号"), shown.get("协议状态")),
        (bank, account, status),
        f"{channel}【缴费批扣定档】显示的三方协议",
        show=lambda s: f"开户银行{s[0]}、银行账号“{s[1]}”、协议状态“{s[2]}”" if s[0] else "没有三方协议",
    )


@then(
    parsers.re(
        r"他在(?P<channel>.+?)的批扣记录中(?P<year>\d{4})年度的扣款日为(?P<y>\d{4})年(?P<m>\d{2})月(?P<d>\d{2})日$"
    )
)
def _(payments: PensionPayments, channel: str, year: str, y: str, m: str, d: str) -> None:
    entries = [e for e in payments.batch_entries("缴费人", channel) if e.year == int(year)]
    if not entries:
        fail(f"{channel}的批扣记录中应有{year}年度的定档,实际没有")
    expect(entries[0].day, f"{y}-{m}-{d}", f"{channel}批扣记录中{year}年度的扣款日", show=lambda day: day or "空")


def _entries(entries: list[BatchEntry]) -> str:
    return "[" + ("、".join(f"{e.year}年度 {e.tier}元 “{e.status}”" for e in entries) or "无") + "]"

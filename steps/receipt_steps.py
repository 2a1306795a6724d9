"""The vocabulary of every field a person reads on a payment record and on a receipt (features/rules/
records_receipts.feature): the time of each year's payment, its 电子税票号码, the government's share, and on the receipt
its title, payer, 险种, lines, 合计金额 in figures and in 大写, payment time and 缴费渠道. The expected values are the
scenario's; the capital figures of an example are checked against the harness's own reading of the rule
(fixtures/money.py) before the receipt is. Each step calls the domain language only; a receipt is read as its text."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import allure
from pytest_bdd import given, parsers, then, when

from fixtures.money import capital, figures
from fixtures.receipts import FIELDS, LINE, TOTAL
from steps import expect as shown
from steps.account_steps import seconds
from steps.drivers.protocol import Record
from steps.expect import check, expect
from steps.guide_steps import STATUSES
from steps.language import PensionPayments

PAID_AT = re.compile(r"缴费时间(\d{4}-\d{2}-\d{2})(\d{2}:\d{2}:\d{2})")
PAYER_NAME, INSURANCE = FIELDS["name"], FIELDS["insurance"]
PAID_THROUGH = re.compile(r"缴费渠道(.+?)税务机关")
LINE_HEAD = ["费款所属期起止", "缴费类型", "个人缴费(元)", "政府代缴(元)"]


@dataclass(frozen=True)
class ReceiptLine:
    period: str  # 2024-01-01 至 2024-12-31
    kind: str
    personal: str
    government: str
    ticket_no: str

    @property
    def year(self) -> int:
        return int(self.period[:4])


def receipt_lines(text: str) -> list[ReceiptLine]:
    """The receipt's lines, in the order it prints them."""
    return [ReceiptLine(f"{start} 至 {end}", k, p, g, t) for start, end, k, p, g, t in LINE.findall(text)]


def one(pattern: re.Pattern[str], text: str) -> str:
    """What the receipt prints for the field (''when it prints none)."""
    found = pattern.search(text)
    return " ".join(found.groups()) if found else ""


def _paid(payments: PensionPayments, channel: str, tier: str, year: str) -> None:
    outcome = payments.pay_current_year("缴费人", channel, tier=int(tier), year=int(year))
    check(outcome.paid, f"{channel}应缴费成功({year}年度{tier}元),实际{shown.said(outcome)}")


def _receipt(payments: PensionPayments, channel: str) -> dict[str, str]:
    text = payments.receipt_text("缴费人", channel)
    allure.attach(text, name=f"{channel}缴费回执单(文字)", attachment_type=allure.attachment_type.TEXT)
    return {"channel": channel, "text": text}


def _where(receipt: dict[str, str]) -> str:
    return f"{receipt['channel']}缴费回执单"


# 假如 ----------------------------------------------------------------------------------------------------
@given(
    parsers.re(
        r"一位名叫(?P<name>[\u4e00-\u9fff·]{2,8})的缴费人已在(?P<channel>.+?)缴纳(?P<year>\d{4})年度(?P<tier>\d+)元$"
    )
)
def _(payments: PensionPayments, name: str, channel: str, year: str, tier: str) -> None:
    payments.payer_named("缴费人", name)
    _paid(payments, channel, tier, year)


@given(parsers.re(r"(?P<span>[\d分秒钟]+)后他已在(?P<channel>.+?)缴纳(?P<year>\d{4})年度(?P<tier>\d+)元$"))
def _(payments: PensionPayments, span: str, channel: str, year: str, tier: str) -> None:
    payments.let_pass(seconds(span))
    _paid(payments, channel, tier, year)


@given(parsers.re(rf"一位已参保的(?P<status>{STATUSES})已在(?P<channel>.+?)通过特殊缴费缴纳$"))
def _(payments: PensionPayments, status: str, channel: str) -> None:
    payments.payer(special_status=status)
    outcome = payments.pay_special("缴费人", channel)
    check(outcome.paid, f"{status}应能在{channel}通过特殊缴费缴纳{payments.year}年度,实际{shown.said(outcome)}")


# 当 ------------------------------------------------------------------------------------------------------
@when(parsers.re(r"(?P<span>[\d分秒钟]+)后他在(?P<channel>.+?)查询缴费记录$"), target_fixture="records_shown")
def _(payments: PensionPayments, span: str, channel: str) -> dict[str, Any]:
    payments.let_pass(seconds(span))
    return {"channel": channel, "records": payments.records("缴费人", channel)}


@when(parsers.re(r"(?P<span>[\d分秒钟]+)后他在(?P<channel>.+?)打开缴费回执单$"), target_fixture="receipt")
def _(payments: PensionPayments, span: str, channel: str) -> dict[str, str]:
    payments.let_pass(seconds(span))
    return _receipt(payments, channel)


# 那么: records ----------------------------------------------------------------------------------------------
@then("他的缴费记录中每个年度的缴费时间为")
def _(records_shown: dict[str, Any], datatable: list[list[str]]) -> None:
    head, *rows = datatable
    check(head == ["年度", "缴费时间"], f"表头应为“年度 | 缴费时间”,实际为{head}")
    channel, found = records_shown["channel"], records_shown["records"]
    expected = {int(year): at for year, at in rows}
    seen = {r.year: r.paid_at for r in found}
    expect(
        seen,
        expected,
        f"{channel}缴费记录中每个年度的缴费时间",
        why="缴费记录按年度显示该年度费款实际缴纳的时间",
        show=lambda times: "、".join(f"{y}年度{t or '(未显示缴费时间)'}" for y, t in sorted(times.items())) or "(无)",
    )


@then(parsers.re(r"他在(?P<channel>.+?)的缴费记录中(?P<years>[\d、]+)年度各有一个电子税票号码,互不相同$"))
def _(payments: PensionPayments, channel: str, years: str) -> None:
    wanted = sorted(int(y) for y in years.split("、"))
    found = payments.records("缴费人", channel)
    rule = f"{channel}的缴费记录每个年度一行,各有自己的电子税票号码"
    expect(sorted(r.year for r in found), wanted, f"{channel}缴费记录的年度", why=rule)
    blank = [r.year for r in found if not r.ticket_no.strip()]
    check(not blank, f"{rule}:{'、'.join(map(str, blank))}年度的缴费记录没有电子税票号码")
    tickets = Counter(r.ticket_no for r in found)
    shared = sorted({r.year for r in found if tickets[r.ticket_no] > 1})
    check(not shared, f"{rule}:{'、'.join(map(str, shared))}年度的缴费记录用了同一个电子税票号码")


@then(
    parsers.re(
        r"他在(?P<channel>.+?)的缴费记录中(?P<year>\d{4})年度个人缴费(?P<personal>[\d.]+)元,"
        r"显示政府代缴时为(?P<government>[\d.]+)元$"
    )
)
def _(payments: PensionPayments, channel: str, year: str, personal: str, government: str) -> None:
    payer = payments.payers["缴费人"]
    rule = f"{payer.special_status}{year}年度个人缴费{personal}元、政府代缴{government}元"
    rows: list[Record] = [r for r in payments.records("缴费人", channel) if r.year == int(year)]
    expect([r.amount for r in rows], [personal], f"{channel}缴费记录中{year}年度的个人缴费", why=rule, show=_yuans)
    shown_share = [r.government for r in rows if r.government is not None]
    if shown_share:  # the channel's records show the government's share
        expect(shown_share, [government], f"{channel}缴费记录中{year}年度的政府代缴", why=rule, show=_yuans)


def _yuans(amounts: list[str]) -> str:
    return "、".join(shown.yuan(a) for a in amounts) or "(无)"


# 那么: the receipt --------------------------------------------------------------------------------------------
@then(parsers.re(r"回执单的标题是“(?P<title>.+)”$"))
def _(receipt: dict[str, str], title: str) -> None:
    printed = receipt["text"].split("打印时间", 1)[0] if "打印时间" in receipt["text"] else receipt["text"][:20]
    expect(printed, title, f"{receipt['channel']}缴费回执单的标题", why="指南中该渠道回执单的名称")


@then(parsers.re(r"回执单上的缴费人姓名是“(?P<name>.+)”$"))
def _(receipt: dict[str, str], name: str) -> None:
    expect(one(PAYER_NAME, receipt["text"]), name, f"{_where(receipt)}上的缴费人姓名", why="回执单写明缴费人")


@then(parsers.re(r"回执单上的险种是“(?P<insurance>.+)”$"))
def _(receipt: dict[str, str], insurance: str) -> None:
    expect(one(INSURANCE, receipt["text"]), insurance, f"{_where(receipt)}上的险种", why="回执单写明所缴的险种")


@then("回执单逐行为")
def _(receipt: dict[str, str], datatable: list[list[str]]) -> None:
    head, *rows = datatable
    check(head == LINE_HEAD, f"表头应为“{' | '.join(LINE_HEAD)}”,实际为{head}")
    expected = [tuple(cell.replace(" ", "") for cell in row) for row in rows]
    printed = [
        (line.period.replace(" ", ""), line.kind, line.personal, line.government)
        for line in receipt_lines(receipt["text"])
    ]
    expect(
        printed,
        expected,
        f"{_where(receipt)}的缴费明细",
        why="每个年度一行:费款所属期起止、缴费类型、个人缴费、政府代缴",
        show=lambda lines: "[" + ("、".join(f"{p} {k} {a}元(政府代缴{g}元)" for p, k, a, g in lines) or "无") + "]",
    )


@then(parsers.re(r"回执单的合计金额是“¥(?P<total>[\d.]+)”,大写为“人民币(?P<written>.+)”$"))
def _(receipt: dict[str, str], total: str, written: str) -> None:
    check(total == figures(total), f"例子有误:合计金额应写成两位小数{figures(total)},例子写的是{total}")
    check(
        written == capital(total),
        f"例子有误:{total}元的中文大写应为{capital(total)}(人民币大写金额的写法),例子写的是{written}",
    )
    found = TOTAL.search(receipt["text"])
    printed = (found.group(1), found.group(2)) if found else ("(回执单上没有合计金额)", "(没有大写金额)")
    fen = sum(int(line.personal.replace(".", "")) for line in receipt_lines(receipt["text"]))
    lines_sum = f"{fen // 100}.{fen % 100:02d}"
    expect(
        printed,
        (total, written),
        f"{_where(receipt)}的合计金额(数字、大写)",
        why=f"合计金额是各行个人缴费之和,大写按人民币大写金额的写法;回执单各行个人缴费合计{lines_sum}元",
        show=lambda pair: f"¥{pair[0]}、人民币{pair[1]}",
    )


@then(parsers.re(r"回执单上的缴费时间是“(?P<at>.+)”$"))
def _(receipt: dict[str, str], at: str) -> None:
    expect(
        one(PAID_AT, receipt["text"]) or "(回执单上没有缴费时间)",
        at,
        f"{_where(receipt)}上的缴费时间",
        why="缴费成功的时间,不是打印回执单的时间",
    )


@then(parsers.re(r"回执单上的缴费渠道是“(?P<through>.+)”$"))
def _(receipt: dict[str, str], through: str) -> None:
    expect(
        one(PAID_THROUGH, receipt["text"]) or "(回执单上没有缴费渠道)",
        through,
        f"{_where(receipt)}上的缴费渠道",
        why="缴费时所用的渠道和支付方式,不论在哪个渠道打印",
    )


@then(parsers.re(r"回执单上每个年度的电子税票号码与他在(?P<channel>.+?)的缴费记录一致,且互不相同$"))
def _(payments: PensionPayments, receipt: dict[str, str], channel: str) -> None:
    printed = {line.year: line.ticket_no for line in receipt_lines(receipt["text"])}
    check(bool(printed), f"{_where(receipt)}上应有缴费明细及其电子税票号码,实际没有")
    recorded = {r.year: r.ticket_no for r in payments.records("缴费人", channel) if r.year in printed}
    expect(
        printed,
        recorded,
        f"{_where(receipt)}上每个年度的电子税票号码",
        why=f"与{channel}缴费记录中该年度的电子税票号码一致",
        show=lambda tickets: "、".join(f"{y}年度{t or '(无)'}" for y, t in sorted(tickets.items())) or "(无)",
    )
    check(
        len(set(printed.values())) == len(printed),
        f"{_where(receipt)}上每个年度应有各自的电子税票号码,实际有年度共用一个:"
        + "、".join(f"{y}年度{t}" for y, t in sorted(printed.items())),
    )


__all__ = ["ReceiptLine", "receipt_lines"]

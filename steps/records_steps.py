"""The vocabulary of records and receipts (features/rules/records_receipts.feature), of what special-status persons
pay and the government pays for them (special_status.feature), and of a second bank batch run on one day
(batch_deduction.feature). Each step calls the domain language only; a receipt is read as its text."""

from __future__ import annotations

import re
from datetime import date

import allure
from pytest_bdd import given, parsers, then, when

from fixtures.payers import with_check_char
from fixtures.receipts import FIELDS
from reports.masking import mask_text
from steps.expect import check
from steps.guide_steps import STATUSES
from steps.language import PensionPayments

# The ten county-level districts of Ningbo today, each with a county code its adult residents carry (DOMAIN.md,
# from python-stdnum's loc.dat): 鄞州区's and 奉化区's people of 1983–2002 / 1989–2016 carry the code of 鄞县 / 奉化市.
DISTRICTS = {
    "海曙区": "330203",
    "江北区": "330205",
    "北仑区": "330206",
    "镇海区": "330211",
    "鄞州区": "330227",
    "奉化区": "330283",
    "余姚市": "330281",
    "慈溪市": "330282",
    "宁海县": "330226",
    "象山县": "330225",
}
DISTRICT_AGE = 30  # born 1993/94: every code above existed then
DISTRICT_NAMES = "|".join(DISTRICTS)

RECEIPT_AUTHORITY, RECEIPT_ID = FIELDS["authority"], FIELDS["masked_id"]
RECEIPT_LINE = re.compile(r"(\d{4})-01-01至\d{4}-12-31(正常应缴|补缴)(\d+\.\d\d)(\d+\.\d\d)")


def id_ending(payments: PensionPayments, head: str, tail: str) -> str:
    """A valid resident ID number with these first six and last four characters: the birth date between them is
    drawn (1990–2005: every county code of DISTRICTS existed then) until the check character is ``tail``'s last."""
    for _ in range(2000):
        born = payments.faker.date_between(date(1990, 1, 1), date(2005, 12, 31))
        id_number = with_check_char(f"{head}{born:%Y%m%d}{tail[:3]}")
        if id_number[-1] == tail[3]:
            return id_number
    raise AssertionError(f"找不到以{head}开头、以{tail}结尾的有效证件号码")


def _paid(payments: PensionPayments, channel: str, tier: str, year: str) -> None:
    outcome = payments.pay_current_year("缴费人", channel, tier=int(tier), year=int(year))
    check(outcome.paid, f"{channel}应缴费成功({year}年度{tier}元),实际:{outcome.status} {outcome.message}")


# 假如 ----------------------------------------------------------------------------------------------------
@given(
    parsers.re(
        rf"一位(?P<district>{DISTRICT_NAMES})的缴费人已在(?P<channel>.+?)缴纳(?P<year>\d{{4}})年度"
        r"(?P<tier>\d+)元$"
    )
)
def _(payments: PensionPayments, district: str, channel: str, year: str, tier: str) -> None:
    payments.payer(county_code=DISTRICTS[district], age=DISTRICT_AGE)
    payments.choose_district(channel, district)
    _paid(payments, channel, tier, year)


@given(
    parsers.re(
        r"一位证件号码以(?P<head>\d{6})开头、以(?P<tail>\d{3}[\dX])结尾的缴费人已在(?P<channel>.+?)"
        r"缴纳(?P<year>\d{4})年度(?P<tier>\d+)元$"
    )
)
def _(payments: PensionPayments, head: str, tail: str, channel: str, year: str, tier: str) -> None:
    payments.payer_with_id("缴费人", id_ending(payments, head, tail))
    _paid(payments, channel, tier, year)


@given(parsers.re(rf"一位(?P<year>\d{{4}})年度年龄为(?P<age>\d+)周岁的已参保(?P<status>{STATUSES})$"))
def _(payments: PensionPayments, year: str, age: str, status: str) -> None:
    check(int(year) == payments.year, f"缴费年度应为{payments.year}年度,步骤写的是{year}年度")
    payments.payer(age=int(age), special_status=status)


# 当 ------------------------------------------------------------------------------------------------------
@when(parsers.re(r"他在(?P<channel>.+?)打开缴费回执单$"), target_fixture="receipt")
def _(payments: PensionPayments, channel: str) -> dict[str, str]:
    text = payments.receipt_text("缴费人", channel)
    allure.attach(text, name=f"{channel}缴费回执单(文字)", attachment_type=allure.attachment_type.TEXT)
    return {"channel": channel, "text": text}


@when("银行当天再次发起批量扣款")
def _(payments: PensionPayments) -> None:
    payments.run_batch_now()


# 那么 ----------------------------------------------------------------------------------------------------
@then(parsers.re(r"他在(?P<channel>.+?)的缴费记录逐行为$"))
def _(payments: PensionPayments, channel: str, datatable: list[list[str]]) -> None:
    head, *rows = datatable
    check(head == ["年度", "缴费类型", "金额(元)"], f"记录表的表头应为“年度 | 缴费类型 | 金额(元)”,实际为{head}")
    expected = sorted((int(y), kind, amount) for y, kind, amount in rows)
    seen = sorted((r.year, r.kind, r.amount) for r in payments.records("缴费人", channel))
    wrong = [line for line in seen if line not in expected]
    missing = [line for line in expected if line not in seen]
    check(
        seen == expected,
        (
            f"{channel}的缴费记录应每个年度一行(年度、缴费类型、金额)为{_lines(expected)},实际为{_lines(seen)}:"
            f"不该有的行{_lines(wrong)},缺少的行{_lines(missing)}"
        ),
    )


@then(parsers.re(r"回执单上的税务机关是“(?P<authority>.+)”$"))
def _(payments: PensionPayments, receipt: dict[str, str], authority: str) -> None:
    shown = RECEIPT_AUTHORITY.findall(receipt["text"])
    district = next((d for d, code in DISTRICTS.items() if payments.payers["缴费人"].county_code == code), "")
    check(
        shown == [authority],
        (
            f"{receipt['channel']}缴费回执单上的税务机关应为{authority}({district}的缴费人),"
            f"实际为{'、'.join(shown) or '(回执单上没有税务机关)'}"
        ),
    )


@then(parsers.re(r"回执单上的证件号码是“(?P<shown>[0-9X*]+)”$"))
def _(payments: PensionPayments, receipt: dict[str, str], shown: str) -> None:
    id_number = payments.payers["缴费人"].id_number
    check(shown == mask_text(id_number), f"例子有误:证件号码隐去中间八位应写作{mask_text(id_number)},例子写的是{shown}")
    seen = [_hide(s) for s in RECEIPT_ID.findall(receipt["text"])]  # a whole number never reaches a message
    check(
        seen == [shown],
        (
            f"{receipt['channel']}缴费回执单上的证件号码应隐去中间八位,显示为{shown},"
            f"实际为{'、'.join(seen) or '(回执单上没有证件号码)'}"
        ),
    )


@then("回执单上没有他完整的证件号码")
def _(payments: PensionPayments, receipt: dict[str, str]) -> None:
    id_number = payments.payers["缴费人"].id_number
    whole = id_number in receipt["text"]
    check(not whole, f"{receipt['channel']}缴费回执单上不应出现完整的证件号码,实际出现了{_hide(id_number)}")


@then(parsers.re(r"税务系统中他的(?P<year>\d{4})年度缴费记录只有一条$"))
def _(payments: PensionPayments, year: str) -> None:
    books = [r for r in payments.ledger()["records"] if r["year"] == int(year)]
    check(
        len(books) == 1,
        (
            f"同一缴费人{year}年度城乡居民基本养老保险费应只有一条缴费记录,实际为{len(books)}条:"
            + ";".join(f"{r['channel']} {r['amount']}元 订单{r['order_no']}" for r in books)
        ),
    )


@then(parsers.re(r"他在(?P<channel>.+?)的缴费记录中(?P<year>\d{4})年度只有一行$"))
def _(payments: PensionPayments, channel: str, year: str) -> None:
    rows = [r for r in payments.records("缴费人", channel) if r.year == int(year)]
    check(
        len(rows) == 1,
        (
            f"{channel}的缴费记录中{year}年度应只有一行,实际为{len(rows)}行:"
            f"{_lines([(r.year, r.kind, r.amount) for r in rows])}"
        ),
    )


@then(
    parsers.re(
        r"他在(?P<channel>.+?)的缴费记录和回执单上,(?P<year>\d{4})年度“(?P<kind>.+?)”个人缴费"
        r"(?P<personal>[\d.]+)元、政府代缴(?P<government>[\d.]+)元$"
    )
)
def _(payments: PensionPayments, channel: str, year: str, kind: str, personal: str, government: str) -> None:
    payer = payments.payers["缴费人"]
    rule = f"{payer.special_status or '普通缴费人(政府不代缴)'}{year}年度"
    rows = [r for r in payments.records("缴费人", channel) if r.year == int(year)]
    check(
        [(r.kind, r.amount) for r in rows] == [(kind, personal)],
        (
            f"{channel}缴费记录中的个人缴费应为{year}年度“{kind}”{personal}元({rule}),"
            f"实际为{_lines([(r.year, r.kind, r.amount) for r in rows])}"
        ),
    )
    if rows[0].government is not None:  # the channel's records show the government's share
        check(
            rows[0].government == government,
            (f"{channel}缴费记录中的政府代缴应为{government}元({rule}),实际为{rows[0].government}元"),
        )
    text = payments.receipt_text("缴费人", channel)
    lines = [(int(y), k, p, g) for y, k, p, g in RECEIPT_LINE.findall(text) if int(y) == int(year)]
    check(
        lines == [(int(year), kind, personal, government)],
        (
            f"{channel}缴费回执单上{year}年度应为“{kind}”个人缴费{personal}元、政府代缴{government}元({rule}),实际为"
            + ("、".join(f"“{k}”个人缴费{p}元、政府代缴{g}元" for _y, k, p, g in lines) or "(回执单上没有这一年度)")
        ),
    )


def _lines(lines: list[tuple[int, str, str]] | tuple[tuple[int, str, str], ...]) -> str:
    return "、".join(f"{y}年度“{k}”{a}元" for y, k, a in lines) or "(无)"


def _hide(text: str) -> str:
    """What a failure message may say of an ID number the receipt printed: never the whole of it."""
    return f"完整的证件号码(此处隐去中间八位:{mask_text(text)})" if len(text) == 18 and "*" not in text else text

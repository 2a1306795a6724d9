"""缴费回执单 (社保费电子缴款回执单): one PDF per paid order with a line per year, drawn with a CJK font.

The font is Noto Sans CJK SC, found by fontconfig, or the file a setting names (``SIM_FONT=path`` or
``path#index`` for one face of a collection). Without it a receipt cannot be drawn: a 503 says why.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from simulators.core import defects, idnumber
from simulators.core.billing import yuan
from simulators.core.errors import RuleRefused, SimError
from simulators.core.models import INSURANCE_NAMES, Order, PaymentRecord, Person, Tenant

FAMILY = "Noto Sans CJK SC"
TITLE = "缴费回执单"  # 宁波税务APP and 浙里办 (打印缴费回执单); the 电子税务局 names its own: 社保费电子缴款回执单


class ReceiptUnavailable(SimError):
    status = 503
    code = "receipt_unavailable"


@dataclass(frozen=True)
class Font:
    path: str
    index: int = 0


@dataclass(frozen=True)
class ReceiptLine:
    year: int
    kind: str
    amount_fen: int
    government_fen: int
    ticket_no: str

    @property
    def period(self) -> str:
        return f"{self.year}-01-01 至 {self.year}-12-31"


@dataclass(frozen=True)
class Receipt:
    order_no: str
    payer_name: str
    masked_id: str
    insurance: str
    lines: tuple[ReceiptLine, ...]
    paid_at: datetime
    channel: str
    tax_authority: str
    printed_at: datetime
    title: str = TITLE

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)

    def filename(self) -> str:
        return f"缴费回执单-{self.order_no}.pdf"


def find_font(configured: str | None = None) -> Font:
    """The configured font file, else what fontconfig answers for Noto Sans CJK SC."""
    if configured:
        path, _, index = configured.partition("#")
        if not Path(path).is_file():
            raise ReceiptUnavailable(f"找不到回执单字体文件{path}(SIM_FONT),暂时无法打印缴费回执单", field="font")
        return Font(path, int(index or 0))
    found = _fontconfig()
    if found is None:
        raise ReceiptUnavailable(
            "服务器没有安装中文字体(Noto Sans CJK SC,Debian 软件包 fonts-noto-cjk),暂时无法打印缴费回执单", field="font"
        )
    return found


@cache
def _fontconfig() -> Font | None:
    if not shutil.which("fc-match"):
        return None
    done = subprocess.run(
        ["fc-match", "-f", "%{file}\n%{index}\n%{family}", FAMILY],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    path, index, family = [*done.stdout.split("\n"), "", "", ""][:3]
    if done.returncode != 0 or FAMILY not in family or not Path(path).is_file():
        return None
    return Font(path, int(index or 0))


def for_order(session: Session, order: Order, channel: str, now: datetime, *, title: str = TITLE) -> Receipt:
    """The receipt of a paid order, printed ``now`` (the tenant's clock) under the printing channel's ``title``: its
    records, one line per year."""
    records = list(
        session.scalars(
            select(PaymentRecord).where(PaymentRecord.order_no == order.order_no).order_by(PaymentRecord.year)
        )
    )
    if order.status != "PAID" or not records or order.paid_at is None:
        raise RuleRefused(f"订单{order.order_no}尚未缴费成功,没有缴费回执单", field="order_no")
    person = session.get(Person, order.person_id)
    assert person is not None
    return defects.at(
        session.get(Tenant, order.tenant_id),
        "receipt",
        Receipt(
            order_no=order.order_no,
            payer_name=person.name,
            masked_id=idnumber.mask(person.id_number),
            insurance=INSURANCE_NAMES[order.insurance],
            lines=tuple(ReceiptLine(r.year, r.kind, r.amount_fen, r.government_fen, r.ticket_no) for r in records),
            paid_at=order.paid_at,
            channel=channel,
            tax_authority=records[0].tax_authority,
            printed_at=now,
            title=title,
        ),
        person=person,
    )


DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ("", "拾", "佰", "仟")
GROUPS = ("", "万", "亿")


def capital(fen: int) -> str:
    """An amount in the capital figures a receipt prints: 30000 → 叁佰元整."""
    whole, cents = divmod(fen, 100)
    text, zero, groups = "", False, []
    while whole:
        whole, group = divmod(whole, 10000)
        groups.append(group)
    for g in range(len(groups) - 1, -1, -1):
        part, digits = "", f"{groups[g]:04d}"
        for i, d in enumerate(digits):
            if d == "0":
                zero = bool(text or part)
                continue
            part += ("零" if zero else "") + DIGITS[int(d)] + UNITS[3 - i]
            zero = False
        if part:
            text += part + GROUPS[g]
    text = (text or "零") + "元"
    jiao, fen_ = divmod(cents, 10)
    if not cents:
        return text + "整"
    return text + (DIGITS[jiao] + "角" if jiao else "零") + (DIGITS[fen_] + "分" if fen_ else "")


def render(receipt: Receipt, font: Font) -> bytes:
    """The receipt as a one-page A5 PDF."""
    pdf = FPDF(orientation="landscape", format=(148, 210))  # A5
    pdf.set_title(receipt.title)
    pdf.set_author(receipt.tax_authority)
    pdf.set_creator("宁波城乡居民养老保险费线上缴费渠道模拟器")
    try:
        pdf.add_font("cjk", fname=font.path, collection_font_number=font.index)
    except Exception as error:  # a broken or unreadable font file: say so instead of failing with a 500
        raise ReceiptUnavailable(
            f"回执单字体{font.path}无法读取({type(error).__name__}),暂时无法打印缴费回执单", field="font"
        ) from error
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("cjk", size=16)
    pdf.cell(0, 10, receipt.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    pdf.cell(
        0,
        6,
        f"打印时间:{receipt.printed_at:%Y-%m-%d %H:%M:%S}    订单号:{receipt.order_no}",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    pdf.set_font("cjk", size=10)
    pairs = (
        ("缴费人姓名", receipt.payer_name),
        ("证件号码", receipt.masked_id),
        ("险种", receipt.insurance),
        ("缴费时间", f"{receipt.paid_at:%Y-%m-%d %H:%M:%S}"),
        ("缴费渠道", receipt.channel),
        ("税务机关", receipt.tax_authority),
    )
    for (k1, v1), (k2, v2) in zip(pairs[::2], pairs[1::2], strict=True):
        for key, value in ((k1, v1), (k2, v2)):
            pdf.cell(24, 8, key, border=1)
            pdf.cell(70, 8, value, border=1)
        pdf.ln()
    pdf.ln(3)
    widths = (52, 22, 26, 26, 62)
    for width, head in zip(
        widths, ("费款所属期起止", "缴费类型", "个人缴费(元)", "政府代缴(元)", "电子税票号码"), strict=True
    ):
        pdf.cell(width, 8, head, border=1, align="C")
    pdf.ln()
    for line in receipt.lines:
        cells = (line.period, line.kind, yuan(line.amount_fen), yuan(line.government_fen), line.ticket_no)
        for width, value in zip(widths, cells, strict=True):
            pdf.cell(width, 8, value, border=1, align="C")
        pdf.ln()
    pdf.cell(sum(widths[:2]), 8, "合计金额", border=1, align="C")
    pdf.cell(sum(widths[2:]), 8, f"¥{yuan(receipt.total_fen)}  (大写)人民币{capital(receipt.total_fen)}", border=1)
    pdf.ln(12)
    pdf.set_font("cjk", size=8)
    pdf.multi_cell(0, 5, "本回执单由模拟器生成,仅用于测试,不作为真实缴费凭证。证件号码已隐藏部分数字。")
    return bytes(pdf.output())

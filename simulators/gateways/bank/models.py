"""The bank behind 协议支付: three-party agreements (taxpayer, tax bureau, bank) over a debit account, and the
debits the tax bureau asks for under them.

A debit settles at once: the taxpayer's valid agreement is found by ID number and its account is charged, or the
bank says why not (no agreement, a revoked one, a short balance). Every debit is a ``GatewayTrade``; a refused
one is kept as FAILED and charged nothing. A repeated request for the same merchant order answers the same trade.
A successful debit can be reversed in full (冲正), at once: the amount goes back to the account it was taken from
(even under an agreement revoked since) and the debit is REFUNDED.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import ForeignKey, String, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from simulators.core import clock, idnumber
from simulators.core.db import Base
from simulators.core.errors import InvalidInput, NotFound, RuleRefused
from simulators.core.models import Person, Tenant
from simulators.gateways import trades
from simulators.gateways.models import GatewayTrade, Refund

GATEWAY = "agreement"
NAME = "协议支付"
MERCHANT_ID = "NBTAX-SBF-0001"  # the tax bureau's id at the bank
VALID, REVOKED = "有效", "已解除"
SUCCESS, FAILED, REFUNDED = "SUCCESS", "FAILED", "REFUNDED"
NO_AGREEMENT, AGREEMENT_REVOKED, INSUFFICIENT_BALANCE = "NO_AGREEMENT", "AGREEMENT_REVOKED", "INSUFFICIENT_BALANCE"
BANKS = (
    "中国工商银行",
    "中国农业银行",
    "中国银行",
    "中国建设银行",
    "交通银行",
    "中国邮政储蓄银行",
    "宁波银行",
    "浙江农商银行",
)


class BankAgreement(Base):
    """A signed three-party agreement (三方协议) of one taxpayer, and the balance of its debit account."""

    __tablename__ = "bank_agreement"
    __table_args__ = (UniqueConstraint("tenant_id", "agreement_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    agreement_no: Mapped[str] = mapped_column(String(32))
    id_number: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(50))
    bank: Mapped[str] = mapped_column(String(20))
    account: Mapped[str] = mapped_column(String(32))  # masked: the full number is the bank's business
    balance_fen: Mapped[int]
    status: Mapped[str] = mapped_column(String(8))
    signed_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class DebitRequest(BaseModel):
    merchant_id: str
    taxpayer_id: str = Field(min_length=15, max_length=18)
    out_trade_no: str = Field(min_length=6, max_length=32, pattern=r"^[0-9A-Za-z_-]+$")
    amount_fen: int = Field(gt=0, le=10**10)
    description: str = Field(min_length=1, max_length=128)


class ReversalRequest(BaseModel):
    merchant_id: str
    out_refund_no: str = Field(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z_-]+$")
    amount_fen: int = Field(gt=0, le=10**10)
    reason: str = Field(default="", max_length=100)


def _mask_account(account: str) -> str:
    return f"{account[:4]} **** **** {account[-4:]}"


def sign(
    session: Session,
    tenant: Tenant,
    *,
    id_number: str,
    bank: str,
    balance_fen: int,
    account: str | None = None,
    agreement_no: str | None = None,
) -> BankAgreement:
    """签订三方协议 for a payer of the tenant; one valid agreement per taxpayer at a time."""
    try:
        number = idnumber.parse(id_number, today=clock.now(tenant).date()).number
    except idnumber.IdNumberError as error:
        raise InvalidInput(error.rule, field="id_number") from error
    person = session.scalars(select(Person).where(Person.tenant_id == tenant.id, Person.id_number == number)).first()
    if person is None:
        raise NotFound(f"证件号码{idnumber.mask(number)}的缴费人不存在,不能签订三方协议", field="id_number")
    if bank not in BANKS:
        raise InvalidInput(f"开户银行应为{'、'.join(BANKS)}之一", field="bank")
    held = valid(session, tenant, number)
    if held is not None:
        raise RuleRefused(f"缴费人已签订有效的三方协议{held.agreement_no},如需更换请先解除", field="agreement")
    now = clock.now(tenant)
    if agreement_no and _by_no(session, tenant, agreement_no) is not None:
        raise InvalidInput(f"三方协议号{agreement_no}已存在", field="agreement")
    seed = hashlib.sha256(f"{tenant.id}/{number}/{now.isoformat()}".encode()).hexdigest()
    account = account or "6217" + str(int(seed[:16], 16) % 10**15).zfill(15)
    agreement = BankAgreement(
        tenant_id=tenant.id,
        agreement_no=agreement_no or f"33{now:%Y%m%d}{secrets.randbelow(10**8):08d}",
        id_number=number,
        name=person.name,
        bank=bank,
        account=_mask_account(account),
        balance_fen=balance_fen,
        status=VALID,
        signed_at=now,
    )
    session.add(agreement)
    session.flush()
    return agreement


def _by_no(session: Session, tenant: Tenant, agreement_no: str) -> BankAgreement | None:
    return session.scalars(
        select(BankAgreement).where(BankAgreement.tenant_id == tenant.id, BankAgreement.agreement_no == agreement_no)
    ).one_or_none()


def by_no(session: Session, tenant: Tenant, agreement_no: str) -> BankAgreement:
    agreement = _by_no(session, tenant, agreement_no)
    if agreement is None:
        raise NotFound(f"三方协议{agreement_no}不存在", field="agreement")
    return agreement


def revoke(session: Session, tenant: Tenant, agreement_no: str) -> BankAgreement:
    """解除三方协议; revoking a revoked agreement changes nothing."""
    agreement = by_no(session, tenant, agreement_no)
    if agreement.status == VALID:
        agreement.status, agreement.revoked_at = REVOKED, clock.now(tenant)
    return agreement


def of_tenant(session: Session, tenant: Tenant) -> list[BankAgreement]:
    return list(
        session.scalars(select(BankAgreement).where(BankAgreement.tenant_id == tenant.id).order_by(BankAgreement.id))
    )


def _of(session: Session, tenant: Tenant, id_number: str) -> list[BankAgreement]:
    return list(
        session.scalars(
            select(BankAgreement)
            .where(
                BankAgreement.tenant_id == tenant.id,
                BankAgreement.id_number == id_number.strip().upper(),
            )
            .order_by(BankAgreement.id.desc())
        )
    )


def valid(session: Session, tenant: Tenant, id_number: str) -> BankAgreement | None:
    return next((a for a in _of(session, tenant, id_number) if a.status == VALID), None)


def problem(session: Session, tenant: Tenant, id_number: str) -> tuple[str, str] | None:
    """Why no debit can be made under this taxpayer's agreements: (code, message), or None when one is valid."""
    mine = _of(session, tenant, id_number)
    if any(a.status == VALID for a in mine):
        return None
    if mine:
        return AGREEMENT_REVOKED, f"三方协议{mine[0].agreement_no}已解除"
    return NO_AGREEMENT, "未签订三方协议"


def debit(session: Session, tenant: Tenant, req: DebitRequest) -> GatewayTrade:
    """Charge the taxpayer's agreement account once per merchant order, or record why the bank refused."""
    if req.merchant_id != MERCHANT_ID:
        raise InvalidInput("商户号不正确", field="merchant_id")
    trade = trades.find(session, tenant, (GATEWAY,), req.out_trade_no)
    if trade is not None:
        if trade.amount_fen != req.amount_fen:
            raise RuleRefused(
                f"订单{req.out_trade_no}已按{trade.amount_fen / 100:.2f}元扣款,金额不能改变", field="amount"
            )
        return trade
    now = clock.now(tenant)
    agreement = valid(session, tenant, req.taxpayer_id)
    refusal = problem(session, tenant, req.taxpayer_id)
    if agreement is not None and agreement.balance_fen < req.amount_fen:
        refusal = INSUFFICIENT_BALANCE, "账户余额不足"
    trade = GatewayTrade(
        prepay_id="BK" + secrets.token_hex(14),
        tenant_id=tenant.id,
        gateway=GATEWAY,
        out_trade_no=req.out_trade_no,
        description=req.description,
        amount_fen=req.amount_fen,
        payer=agreement.agreement_no if agreement else "",
        notify_url="",
        created_at=now,
        expires_at=now,
        state=FAILED if refusal else SUCCESS,
        state_desc=f"{refusal[0]}:{refusal[1]}" if refusal else "扣款成功",
    )
    if refusal is None:
        assert agreement is not None
        agreement.balance_fen -= req.amount_fen
        trade.success_at = trades.success_time(tenant, GATEWAY, now)
        trade.transaction_id = "BK" + hashlib.sha256(trade.prepay_id.encode()).hexdigest()[:22].upper()
    session.add(trade)
    return trade


def reverse(session: Session, tenant: Tenant, out_trade_no: str, req: ReversalRequest) -> tuple[GatewayTrade, Refund]:
    """冲正: give a successful debit back in full, to the account it came from; the same ``out_refund_no`` again
    answers the same reversal."""
    if req.merchant_id != MERCHANT_ID:
        raise InvalidInput("商户号不正确", field="merchant_id")
    trade = find(session, tenant, out_trade_no)
    earlier = trades.earlier_refund(session, tenant, (GATEWAY,), req.out_refund_no)
    if earlier is not None:
        if (earlier.out_trade_no, earlier.amount_fen) != (out_trade_no, req.amount_fen):
            raise InvalidInput(
                f"冲正流水号{req.out_refund_no}已用于另一笔冲正,重复请求的订单和金额应与首次一致", field="out_refund_no"
            )
        return trade, earlier
    if trade.state == REFUNDED:
        raise RuleRefused(f"订单{out_trade_no}的扣款已冲正,不能重复冲正", field="order_no")
    if trade.state != SUCCESS:
        raise RuleRefused(f"订单{out_trade_no}扣款未成功,没有可冲正的款项", field="order_no")
    if req.amount_fen != trade.amount_fen:
        raise InvalidInput(
            f"冲正金额amount_fen应等于扣款金额{trade.amount_fen / 100:.2f}元:只能全额冲正", field="amount_fen"
        )
    made = trades.refund(
        session,
        trade,
        out_refund_no=req.out_refund_no,
        reason=req.reason,
        to=REFUNDED,
        desc="已冲正",
        now=clock.now(tenant),
        refund_id="RV" + hashlib.sha256(f"{trade.prepay_id}/{req.out_refund_no}".encode()).hexdigest()[:22].upper(),
    )
    if made is None:
        raise RuleRefused(f"订单{out_trade_no}的扣款已冲正,不能重复冲正", field="order_no")
    session.execute(
        update(BankAgreement)
        .where(
            BankAgreement.tenant_id == tenant.id,
            BankAgreement.agreement_no == trade.payer,
        )
        .values(balance_fen=BankAgreement.balance_fen + made.amount_fen)
        .execution_options(synchronize_session=False)
    )
    return trade, made


def reversal_json(trade: GatewayTrade, made: Refund) -> dict[str, object]:
    """The bank's answer to a 冲正: the debit as it stands now, and the reversal."""
    return {
        **trade_json(trade),
        "refund_id": made.refund_id,
        "out_refund_no": made.out_refund_no,
        "refund_fen": made.amount_fen,
        "refunded_at": made.created_at.isoformat(),
    }


def find(session: Session, tenant: Tenant, out_trade_no: str) -> GatewayTrade:
    trade = trades.find(session, tenant, (GATEWAY,), out_trade_no)
    if trade is None:
        raise NotFound(f"银行没有订单{out_trade_no}的扣款", field="order_no")
    return trade


PROCESSING = "PROCESSING"


def trade_json(trade: GatewayTrade, now: datetime | None = None) -> dict[str, object]:
    """The bank's answer about one debit at the tenant's ``now``; a debit the bank answers late for
    (``trades.held``: fault timeout_then_success) is still PROCESSING."""
    if trades.held(trade, now):
        return {
            "result": PROCESSING,
            "code": "",
            "message": "银行处理中",
            "trade_no": "",
            "out_trade_no": trade.out_trade_no,
            "agreement_no": trade.payer,
            "amount_fen": trade.amount_fen,
            "paid_at": None,
        }
    code, _, message = trade.state_desc.partition(":") if trade.state == FAILED else ("", "", "")
    return {
        "result": trade.state,
        "code": code,
        "message": message,
        "trade_no": trade.transaction_id or "",
        "out_trade_no": trade.out_trade_no,
        "agreement_no": trade.payer,
        "amount_fen": trade.amount_fen,
        "paid_at": trade.success_at.isoformat() if trade.success_at else None,
    }


def agreement_json(agreement: BankAgreement, *, balance: bool = True) -> dict[str, object]:
    """An agreement as the control API shows it (whole ID number, balance) or a channel does (masked, no balance)."""
    revoked = agreement.revoked_at
    shown: dict[str, object] = {
        "agreement_no": agreement.agreement_no,
        "name": agreement.name,
        "bank": agreement.bank,
        "account": agreement.account,
        "status": agreement.status,
        "signed_at": agreement.signed_at.isoformat(sep=" ", timespec="seconds"),
        "revoked_at": revoked.isoformat(sep=" ", timespec="seconds") if revoked else None,
    }
    if balance:
        shown.update(id_number=agreement.id_number, balance=f"{agreement.balance_fen / 100:.2f}")
    else:
        shown.update(id_number=idnumber.mask(agreement.id_number))
    return shown

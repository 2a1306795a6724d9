"""One tenant as the model sees it: its day, the payers a scenario created, the payments the rules let through and
what the providers must therefore hold (one charge per paid bill, nothing else kept)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from steps.model.rules import Due, PayerFacts, Prediction, Refusal, RuleModel, yuan

GUIDE_DISTRICT = {"zheliban": "奉化区"}  # the guide's 浙里办 walk-through chooses 奉化区 in 办事服务
APP_ACCOUNTS = frozenset({"taxapp", "etax", "zheliban"})  # channels with an account of their own (注册, SMS code)


@dataclass(frozen=True)
class RecordFacts:
    """A payment record as a person reads it: the year, its kind, what they paid, what the government paid, and the
    tax bureau that collected it."""

    year: int
    kind: str
    amount_fen: int
    government_fen: int
    authority: str
    channel: str
    order: int  # which payment of the tenant wrote it: the records of one payment share a receipt

    @property
    def row(self) -> tuple[int, str, str]:
        return (self.year, self.kind, yuan(self.amount_fen))


@dataclass(frozen=True)
class Expected:
    """How a payment must end, as the payer sees it: paid (these dues); failed, refused or unpaid (either of those:
    the message holds one of ``words``); or pending — charged, the provider not yet answering (the page says so, and
    never 未扣款)."""

    status: str
    words: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    dues: tuple[Due, ...] = ()

    @property
    def amount(self) -> str:
        return yuan(sum(d.amount_fen for d in self.dues))

    @classmethod
    def refused(cls, refusals: tuple[Refusal, ...] | list[Refusal]) -> Expected:
        """Refused by any of these rules, in its words."""
        return cls("refused", tuple(r.words for r in refusals), tuple(r.rule for r in refusals))


AGREEMENT = "agreement"  # 协议支付: the bank debits the agreement account at once, no cashier
# An order past its payment deadline is closed: the channel or the provider's cashier says so in its own words.
EXPIRED = ("已超过支付期限", "已过期", "交易已关闭", "超时关闭")
DECLINE, LATE_ANSWER = "decline", "timeout_then_success"


@dataclass
class Batch:
    """A 缴费批扣定档 enrolment: the tier for the year, the bank's batch day it waits for, and how it went."""

    year: int
    tier: int
    due: date
    status: str = "待扣款"  # 已扣款 or 扣款失败 once the bank's run has been


@dataclass
class World:
    model: RuleModel
    today: date
    payers: dict[str, PayerFacts] = field(default_factory=dict)
    records: dict[str, list[RecordFacts]] = field(default_factory=dict)  # by ID number: whoever paid, it is theirs
    charges_fen: list[int] = field(default_factory=list)  # every charge the providers must still hold
    planned: str | None = None  # a planned provider outcome still to come: DECLINE or LATE_ANSWER
    agreement_fen: int | None = None  # the payer's agreement account (三方协议), None: no agreement
    batch: Batch | None = None  # the payer's 缴费批扣定档 enrolment

    def add(self, alias: str, payer: PayerFacts) -> None:
        self.payers[alias] = payer
        self.records.setdefault(payer.id_number, [])

    def paid_years(self, alias: str) -> frozenset[int]:
        return frozenset(r.year for r in self.records.get(self.payers[alias].id_number, []))

    def rows(self, alias: str) -> list[tuple[int, str, str]]:
        """The payer's records, a row each, by year."""
        return sorted(r.row for r in self.records.get(self.payers[alias].id_number, []))

    # predictions ----------------------------------------------------------------------------------------------------
    def choose_tier(self, alias: str, channel: str, *, year: int, tier: int) -> Prediction:
        payer = self.payers[alias]
        found = self.model.choose_tier(payer, self.today, self.paid_years(alias), year=year, tier=tier, channel=channel)
        return self._account(payer, channel, found)

    def special(self, alias: str, channel: str) -> Prediction:
        found = self.model.special(self.payers[alias], self.today, self.paid_years(alias))
        return self._account(self.payers[alias], channel, found)

    def _account(self, payer: PayerFacts, channel: str, prediction: Prediction) -> Prediction:
        """An app channel's account needs a valid ID the registry knows (实名核验): a person whose 注册 was refused
        and who tries again at once is first told to wait for the next SMS code (60秒内不能重复获取)."""
        if (payer.registered and not payer.check_char_mistyped) or channel not in APP_ACCOUNTS:
            return prediction
        wait = Refusal("同一APP的短信验证码60秒内不能重复获取", "后再重新获取")
        return Prediction(refusals=(*prediction.refusals, wait))

    # a payment ----------------------------------------------------------------------------------------------------
    def pay(self, alias: str, channel: str, prediction: Prediction, *, way: str, cancel: bool = False) -> Expected:
        """How a payment the rules judged so must end through the provider ``way`` (``cancel``: the payer presses
        取消支付 at its cashier), and what it leaves: records, charges, the agreement account, the planned outcome."""
        if prediction.paid is None:
            return Expected.refused(prediction.refusals)
        dues = prediction.paid.dues
        amount = prediction.paid.amount_fen
        if way == AGREEMENT:
            if self.agreement_fen is None:
                return Expected("failed", ("未签订三方协议",), ("协议支付须有有效的三方协议",))
            if self.agreement_fen < amount:
                return Expected("failed", ("账户余额不足",), ("协议账户余额不足时银行不扣款",))
            self.agreement_fen -= amount
            late = self.planned == LATE_ANSWER
            if late:
                self.planned = None
            self.paid(alias, channel, dues)
            if late:
                return Expected("pending", ("暂时无法确认支付结果",), ("扣款后银行迟迟不应答时不说未扣款",), dues)
            return Expected("paid", dues=dues)
        if cancel:
            return Expected("failed", ("用户取消支付",), ("在收银台取消支付不扣款",))
        planned, self.planned = self.planned, None
        if planned == DECLINE:
            return Expected("failed", ("余额不足",), ("支付被拒绝时缴费未完成",))
        self.paid(alias, channel, dues)
        if planned == LATE_ANSWER:
            return Expected("pending", ("支付结果确认中",), ("扣款后支付渠道迟迟不应答时不说未扣款",), dues)
        return Expected("paid", dues=dues)

    def pay_after_deadline(self, prediction: Prediction) -> Expected:
        """The order confirmed, the payer comes back past its deadline: closed unpaid, nothing reaches a provider."""
        if prediction.paid is None:
            return Expected.refused(prediction.refusals)
        return Expected("unpaid", EXPIRED, ("超过支付期限的订单不能支付",))

    def enrol_batch(self, alias: str, *, year: int, tier: int) -> Expected:
        """缴费批扣定档 (支付宝小程序): a valid agreement, a tier the rules let the payer choose now, and a batch day
        of the year still ahead; then the enrolment waits for that day."""
        refusals = list(self.choose_tier(alias, "alipay", year=year, tier=tier).refusals)
        if self.agreement_fen is None:
            refusals.insert(0, Refusal("缴费批扣定档须有有效的三方协议", "不能选择【缴费批扣定档】"))
        season = self.model.ref.years.get(year)
        due = next((d for d in season.batch_days if d > self.today), None) if season else None
        if due is None:
            refusals.append(Refusal("当年最后一个扣款日之后不能再定档", f"{year}年度的银行批量扣款已全部结束"))
        if refusals or due is None:
            return Expected.refused(refusals)
        self.batch = Batch(year, tier, due)
        return Expected("enrolled")

    def batch_day(self, alias: str) -> Batch:
        """The bank's run on the enrolment's day: the rules of that day, then the agreement account, decide."""
        assert self.batch is not None and self.batch.status == "待扣款"
        self.today = self.batch.due
        paying = self.choose_tier(alias, "alipay", year=self.batch.year, tier=self.batch.tier)
        amount = self.batch.tier * 100
        if paying.paid is None or self.agreement_fen is None or self.agreement_fen < amount:
            self.batch.status = "扣款失败"
            return self.batch
        self.agreement_fen -= amount
        self.paid(alias, "alipay", paying.paid.dues)
        self.batch.status = "已扣款"
        return self.batch

    def paid(self, alias: str, channel: str, dues: tuple[Due, ...]) -> None:
        payer = self.payers[alias]
        authority = self.model.authority(payer, GUIDE_DISTRICT.get(channel))
        order = len(self.charges_fen)
        for due in dues:
            self.records[payer.id_number].append(
                RecordFacts(due.year, due.kind, due.amount_fen, due.government_fen, authority, channel, order)
            )
        self.charges_fen.append(sum(d.amount_fen for d in dues))

    def newest_payment(self, alias: str) -> tuple[RecordFacts, ...]:
        """The records the payer's newest payment wrote, by year: what its receipt lists."""
        found = self.records.get(self.payers[alias].id_number, [])
        newest = max((r.order for r in found), default=None)
        return tuple(sorted((r for r in found if r.order == newest), key=lambda r: r.year))

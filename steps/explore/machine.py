"""The explorer: a Hypothesis rule-based state machine over one fresh tenant. Each rule does what a payer, the
clock or a provider does, through the domain language (so through the drivers, against any deployment), predicts
the outcome with the model, checks it, and writes itself down as the features' steps; after every rule the tenant's
ledger must add up.

A rule's steps are the vocabulary of the rule features (steps/vocabulary.py, records_steps.py, clock_steps.py): a
failing sequence, shrunk by Hypothesis, is therefore a 场景 that runs as it is.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import channels
from fixtures.receipts import read
from steps.drivers.protocol import Outcome
from steps.explore.scenario import Finding, Script
from steps.explore.target import Target
from steps.language import PensionPayments
from steps.model import Prediction, RuleModel, World, load_reference
from steps.model.receipts import TITLES, receipt
from steps.model.rules import facts_of, yuan
from steps.model.world import AGREEMENT, DECLINE, GUIDE_DISTRICT, LATE_ANSWER, Expected

YEAR = 2024  # the features' contribution year: the tenant's clock starts in its season
APPS_WITH_RECEIPTS = ("taxapp", "etax", "zheliban")
STATUSES = ("残疾人员", "低保对象", "低保边缘户", "特困人员")
FAULTS = {  # a planned provider outcome, as the features plan it
    "decline": "他的下一笔支付会被拒绝",
    "timeout_then_success": "他的下一笔支付扣款后,支付渠道迟迟不应答",
    "notify_late": "支付结果通知将迟到",
    "notify_twice": "支付结果通知将重复送达",
    "notify_resent": "渠道对支付结果通知回复的“已收到”将在途中丢失",
    "query_first": "支付结果通知将在渠道查询订单之后才送达",
    "notify_forged": "一条签名不对的“支付成功”通知会抢先送达",
    "notify_stale": "一条签名时间与当前相差超过5分钟的“支付成功”通知会抢先送达",
    "notify_wrong_amount": "一条金额与订单不符的“支付成功”通知会抢先送达",
}
DEFAULT_WAY = {"wechat": "wechatpay", "alipay": "alipay", "taxapp": "ccb", "etax": "ccb", "zheliban": "alipay_qr"}
CHANNEL_CODES = st.sampled_from([c.code for c in channels.CHANNELS])
YEARS = st.sampled_from((YEAR, YEAR, YEAR, YEAR + 1))
TIERS = st.sampled_from((100, 300, 500, 1000, 2000, 250))
RECEIPT_HEAD = ("费款所属期起止", "缴费类型", "个人缴费(元)", "政府代缴(元)")


RULE_NAMES = {  # the rules in the report's words
    "a_payer": "一位缴费人",
    "choose_tier": "选档报价",
    "pay_with": "选支付方式缴费",
    "pay_late": "过了支付期限再付",
    "special": "特殊身份人员缴费",
    "family_pays": "为家人缴费",
    "records": "查缴费记录",
    "receipt": "开回执单",
    "enrol_batch": "批扣定档",
    "bank_batch_day": "银行扣款日",
    "plan": "安排支付渠道的结果",
    "time_passes": "时间推移",
    "restarted": "模拟器重启",
}


def way_name(channel: str, way: str) -> str:
    """A provider as the guide names it in that channel (浙里办's 支付宝 is a 付款码 to save and scan)."""
    if way == "alipay_qr":
        return "支付宝付款码" if channel == "zheliban" else "支付宝扫码"
    return {"wechatpay": "微信支付", "alipay": "支付宝", "ccb": "建设银行", AGREEMENT: "协议支付"}[way]


DAYS = (date(2024, 6, 30), date(2024, 12, 25), date(2024, 12, 26), date(2025, 1, 2), date(2025, 7, 1))


def written(act: Callable[..., None]) -> Callable[..., None]:
    """A rule whose every error is a finding with its written 场景: a channel that answers what no step can read,
    or a driver that cannot go on, is as much a finding as a wrong amount."""

    @functools.wraps(act)
    def step(self: Explorer, **kwargs: Any) -> None:
        self.tally[act.__name__] += 1
        try:
            act(self, **kwargs)
        except Finding:
            raise
        except Exception as error:
            raise self.found(f"{type(error).__name__}: {error}", "渠道应对每一步给出能读懂的应答") from error

    return step


@dataclass(frozen=True)
class Who:
    """A kind of payer the rule features can name, as their 假如 step names it."""

    step: str
    traits: dict[str, Any]
    registered: bool = True
    mistyped: bool = False
    balance: int | None = None  # yuan on the agreement account of a 三方协议 signed before the sequence


def _years(years: tuple[int, ...]) -> str:
    named = [f"{y}年度" for y in years]
    return named[0] if len(named) == 1 else "、".join(named[:-1]) + "和" + named[-1]


PAYERS: st.SearchStrategy[Who] = st.one_of(
    st.just(Who("一位已参保、没有补缴费款的缴费人", {})),
    st.sampled_from(STATUSES).map(lambda s: Who(f"一位已参保的{s}", {"special_status": s})),
    st.lists(st.integers(2017, 2023), min_size=1, max_size=3, unique=True)
    .map(lambda ys: tuple(sorted(ys)))
    .map(lambda ys: Who(f"一位有{_years(ys)}补缴费款的缴费人", {"arrears_years": ys})),
    st.sampled_from((15, 16, 30, 59, 60)).map(lambda a: Who(f"一位{YEAR}年度年龄为{a}周岁的缴费人", {"age": a})),
    st.tuples(st.sampled_from((16, 59, 60)), st.sampled_from(STATUSES)).map(
        lambda t: Who(f"一位{YEAR}年度年龄为{t[0]}周岁的已参保{t[1]}", {"age": t[0], "special_status": t[1]})
    ),
    st.sampled_from(("暂停", "终止", "未参保")).map(lambda e: Who(f"一位参保状态为“{e}”的缴费人", {"enrolment": e})),
    st.sampled_from((100, 1000, 5000)).map(
        lambda b: Who(f"一位已参保、没有补缴费款的缴费人,已签订三方协议,账户余额{b}元", {}, balance=b)
    ),
    st.just(Who("一位不在参保登记中的人", {}, registered=False)),
    st.just(Who("一位输错了证件号码校验位的缴费人", {}, mistyped=True)),
)


class Explorer(RuleBasedStateMachine):
    """One sequence on one tenant; ``target`` is set on the subclass ``for_target`` makes."""

    target: Target
    tally: Counter[str]  # how often each rule ran in the run (its generation, replays and shrinking alike)
    first_finding: Finding | None = None  # the first of the run, kept in case a replay does not fail the same way

    def __init__(self) -> None:
        super().__init__()
        self.tenant = self.target.new_tenant()
        self.payments = PensionPayments(
            self.target.control, self.tenant, self.target.faker_for(self.tenant), self.target.drivers_for(self.tenant)
        )
        now = str(self.target.control.clock(self.tenant)["now"])
        self.target.control.set_clock(self.tenant, now, frozen=True)  # time moves only when a rule moves it
        today = date.fromisoformat(now[:10])
        self.world = World(RuleModel(load_reference(self.target.reference)), today)
        self.script = Script()
        self.who: Who | None = None
        self.family = False
        self.deadline_said = False
        self.was_restarted = False

    @classmethod
    def for_target(cls, target: Target) -> type[Explorer]:
        return type("Explorer", (cls,), {"target": target, "tally": Counter()})

    def teardown(self) -> None:
        self.target.release(self.tenant)

    # checking ---------------------------------------------------------------------------------------------------
    def found(self, message: str, rule: str) -> Finding:
        """The finding, with the sequence written as a 场景 titled by the rule it breaks."""
        finding = Finding(message, self.script.gherkin(f"探索发现:{rule}", comment=message))
        if type(self).first_finding is None:
            type(self).first_finding = finding
        return finding

    def expect(self, outcome: Outcome, expected: Expected, doing: str, *, refused: str = "缴费被拒绝") -> None:
        """The outcome the model predicted, written as the 那么 step that checks it (``refused``: how that step
        names a refusal: 缴费被拒绝, or 定档被拒绝 for 缴费批扣定档)."""
        seen = f"实际{outcome.status}:{outcome.message or outcome.amount}"
        if expected.status == "paid":
            self.script.add("then", f"缴费成功,金额为{expected.amount}元")
            if not outcome.paid or outcome.amount != expected.amount:
                dues = "、".join(f"{d.year}年度{d.kind}{d.amount}元" for d in expected.dues)
                raise self.found(f"{doing}应缴费成功,金额{expected.amount}元({dues}),{seen}", "应缴金额按规则核定")
            return
        words = next((w for w in expected.words if w in outcome.message), None)
        said = words or expected.words[0]
        rule = expected.rules[0] if expected.rules else "渠道的提示"
        if expected.status == "pending":
            self.script.add("then", f"页面提示“{said}”,没有说“未扣款”")
            if outcome.paid or words is None or "未扣款" in outcome.message:
                raise self.found(f"{doing}:支付渠道已扣款但尚未应答,应提示“{said}”且不说“未扣款”,{seen}", rule)
            self.script.add("when", "等支付渠道全部应答")
            self.payments.let_providers_answer()
            return
        step = {"failed": "缴费未完成", "refused": refused, "unpaid": "缴费没有成功"}[expected.status]
        self.script.add("then", f"{step},提示“{said}”")
        allowed = ("failed", "refused") if expected.status == "unpaid" else (expected.status,)
        if outcome.status not in allowed or words is None:
            rules = ";".join(expected.rules)
            raise self.found(f"{doing}应{step}(规则:{rules}),提示应包含“{said}”,{seen}", rule)

    def expect_charges(self) -> None:
        expected = sorted(yuan(f) for f in self.world.charges_fen)
        if not expected:
            self.script.add("then", "没有任何扣款")
        elif len(expected) == 1:
            self.script.add("then", f"只有一笔{expected[0]}元的扣款")
        else:
            self.script.add("then", f"支付渠道共有{len(expected)}笔扣款:{'、'.join(f'{a}元' for a in expected)}")
        taken = sorted(str(c["amount"]) for c in self.payments.charges())
        if taken != expected:
            raise self.found(
                f"每笔缴费成功的费款只应扣款一次:应有{len(expected)}笔扣款{expected},实际{len(taken)}笔{taken}",
                "每笔缴费成功的费款只扣款一次,其余不扣款",
            )

    def name(self, channel: str) -> str:
        self.script.visit(channel)
        return channels.BY_CODE[channel].name

    def paying(
        self, channel: str, prediction: Prediction, pay: Callable[[], Outcome], *, way: str, cancel: bool = False
    ) -> tuple[Outcome, Expected]:
        expected = self.world.pay("缴费人", channel, prediction, way=way, cancel=cancel)
        return pay(), expected

    # who ----------------------------------------------------------------------------------------------------------
    @initialize(who=PAYERS, family=st.booleans())
    @written
    def a_payer(self, who: Who, family: bool) -> None:
        self.who, self.family = who, family
        self.script.add("given", who.step)
        payer = self.payments.payer(registered=who.registered, **who.traits)
        if who.mistyped:
            self.payments.mistype_check_char()
        if who.balance is not None:
            self.payments.sign_agreement(balance=who.balance)
            self.world.agreement_fen = who.balance * 100
        self.world.add("缴费人", facts_of(payer, registered=who.registered, mistyped=who.mistyped))
        if family:
            self.script.add("given", "代缴的家人是另一位已参保的人")
            relative = self.payments.payer("家人")
            self.world.add("家人", facts_of(relative))

    def channel_for(self, channel: str) -> str:
        """支付宝's 我为自己缴 takes the identity from the account: nobody there mistypes their own number."""
        return "wechat" if channel == "alipay" and self.who is not None and self.who.mistyped else channel

    # what payers do -----------------------------------------------------------------------------------------------
    @rule(channel=CHANNEL_CODES, year=YEARS, tier=TIERS)
    @written
    def choose_tier(self, channel: str, year: int, tier: int) -> None:
        channel = self.channel_for(channel)
        self.script.add("when", f"他在{self.name(channel)}选择{year}年度{tier}元档次缴费")
        prediction = self.world.choose_tier("缴费人", channel, year=year, tier=tier)
        outcome, expected = self.paying(
            channel,
            prediction,
            lambda: self.payments.pay_current_year("缴费人", channel, tier=tier, year=year),
            way=DEFAULT_WAY[channel],
        )
        self.expect(outcome, expected, f"在{self.name(channel)}选择{year}年度{tier}元档次缴费")
        self.expect_charges()

    @rule(channel=CHANNEL_CODES, pick=st.integers(0, 3), tier=TIERS, cancel=st.sampled_from((False, False, True)))
    @written
    def pay_with(self, channel: str, pick: int, tier: int, cancel: bool) -> None:
        channel = self.channel_for(channel)
        ways = channels.BY_CODE[channel].gateways
        way = ways[pick % len(ways)]
        cancel = cancel and way != AGREEMENT  # 协议支付 has no cashier to cancel at
        said = way_name(channel, way)
        ending = "时在收银台取消支付" if cancel else ""
        self.script.add("when", f"他在{self.name(channel)}选择{YEAR}年度{tier}元档次,用{said}缴费{ending}")
        prediction = self.world.choose_tier("缴费人", channel, year=YEAR, tier=tier)
        if cancel:
            act = lambda: self.payments.cancel_at_cashier("缴费人", channel, said, tier=tier, year=YEAR)  # noqa: E731
        else:
            act = lambda: self.payments.pay_with("缴费人", channel, said, tier=tier, year=YEAR)  # noqa: E731
        outcome, expected = self.paying(channel, prediction, act, way=way, cancel=cancel)
        self.expect(outcome, expected, f"在{self.name(channel)}用{said}缴费{ending}")
        self.expect_charges()

    @rule(channel=st.sampled_from(("wechat", "alipay")), tier=TIERS, past=st.booleans())
    @written
    def pay_late(self, channel: str, tier: int, past: bool) -> None:
        """Confirmed, then back to pay a minute past the order's deadline or a minute before it (微信公众号 and
        支付宝小程序: the app channels end an idle login sooner than any deadline)."""
        channel = self.channel_for(channel)
        if not self.deadline_said:
            self.script.add("given", f"订单的支付期限为{self.world.model.ref.order_ttl_minutes}分钟")
            self.payments.set_order_deadline(self.world.model.ref.order_ttl_minutes)
            self.deadline_said = True
        way = DEFAULT_WAY[channel]
        said = way_name(channel, way)
        when = "超过支付期限后" if past else "在支付期限到达前"
        self.script.add("when", f"他在{self.name(channel)}选择{YEAR}年度{tier}元档次并确认缴费,{when}才用{said}支付")
        prediction = self.world.choose_tier("缴费人", channel, year=YEAR, tier=tier)
        expected = (
            self.world.pay_after_deadline(prediction)
            if past
            else self.world.pay("缴费人", channel, prediction, way=way)
        )
        outcome = self.payments.pay_late("缴费人", channel, said, past=past, tier=tier, year=YEAR)
        self.clock_moved(date.fromisoformat(str(self.payments.control.clock(self.tenant)["now"])[:10]))
        self.expect(outcome, expected, f"在{self.name(channel)}确认缴费后{when}才支付")
        self.expect_charges()

    @rule(channel=CHANNEL_CODES)
    @written
    def special(self, channel: str) -> None:
        channel = self.channel_for(channel)
        self.script.add("when", f"他在{self.name(channel)}选择特殊缴费并完成支付")
        prediction = self.world.special("缴费人", channel)
        outcome, expected = self.paying(
            channel, prediction, lambda: self.payments.pay_special("缴费人", channel), way=DEFAULT_WAY[channel]
        )
        self.expect(outcome, expected, f"在{self.name(channel)}特殊缴费")
        self.expect_charges()

    @precondition(lambda self: self.family)
    @rule(channel=CHANNEL_CODES, tier=st.sampled_from((100, 300, 2000)))
    @written
    def family_pays(self, channel: str, tier: int) -> None:
        channel = self.channel_for(channel)
        self.script.add("when", f"家人在{self.name(channel)}为缴费人选择{YEAR}年度{tier}元档次缴费")
        prediction = self.world.choose_tier("缴费人", channel, year=YEAR, tier=tier)
        outcome, expected = self.paying(
            channel,
            prediction,
            lambda: self.payments.pay_current_year("缴费人", channel, tier=tier, year=YEAR, by="家人"),
            way=DEFAULT_WAY[channel],
        )
        self.expect(outcome, expected, f"家人在{self.name(channel)}为缴费人缴费")
        self.expect_charges()

    @precondition(lambda self: self.who is not None and self.who.registered and not self.who.mistyped)
    @rule(channel=CHANNEL_CODES)
    @written
    def records(self, channel: str) -> None:
        rows = self.world.rows("缴费人")
        table = (("年度", "缴费类型", "金额(元)"), *((str(y), kind, amount) for y, kind, amount in rows))
        self.script.add("then", f"他在{self.name(channel)}的缴费记录逐行为", table)
        found = self.payments.records("缴费人", channel)
        seen = sorted((r.year, r.kind, r.amount) for r in found)
        if seen != rows:
            raise self.found(
                f"{self.name(channel)}的缴费记录应逐行为{rows or '空'},实际为{seen or '空'}", "缴费记录与缴费一致"
            )
        for paid in self.world.records[self.world.payers["缴费人"].id_number]:
            if not paid.government_fen:
                continue
            share, personal = yuan(paid.government_fen), yuan(paid.amount_fen)
            self.script.add(
                "then",
                f"他在{self.name(channel)}的缴费记录中{paid.year}年度个人缴费{personal}元,显示政府代缴时为{share}元",
            )
            shown = [r.government for r in found if r.year == paid.year and r.government is not None]
            if shown and shown != [share]:
                raise self.found(
                    f"{self.name(channel)}的缴费记录中{paid.year}年度的政府代缴应为{share}元,实际为{shown}",
                    "特殊身份人员的政府代缴按参考数据",
                )

    @precondition(
        lambda self: (
            bool(self.world.payers)
            and bool(payment := self.world.newest_payment("缴费人"))
            and payment[-1].channel in TITLES
        )
    )
    @rule()
    @written
    def receipt(self) -> None:
        payment = self.world.newest_payment("缴费人")
        channel = payment[-1].channel
        facts = receipt(channel, self.world.payers["缴费人"], payment)
        self.script.add("when", f"他在{self.name(channel)}打开缴费回执单")
        printed = read(self.payments.receipt_text("缴费人", channel))
        whose = "所选地区" if channel in GUIDE_DISTRICT else "他所在区县"
        checks = (
            (f"回执单的标题是“{facts.title}”", printed.title, facts.title, "回执单的名称是指南中该渠道的名称"),
            (
                "回执单上是他的姓名和隐去中间八位的证件号码",
                (printed.name, printed.masked_id),
                (facts.name, facts.masked_id),
                "回执单写明缴费人,证件号码隐去中间八位",
            ),
            (f"回执单上的险种是“{facts.insurance}”", printed.insurance, facts.insurance, "回执单写明所缴的险种"),
            (
                f"回执单的合计金额是“¥{facts.total}”,大写为“人民币{facts.total_capital}”",
                (printed.total, printed.total_capital),
                (facts.total, facts.total_capital),
                "合计金额的小写与大写都等于这笔缴费的金额",
            ),
            (f"回执单上的税务机关是{whose}的税务局", printed.authority, facts.authority, f"{whose}的税务局收取费款"),
        )
        for step, seen, expected, rule_ in checks:
            self.script.add("then", step)
            if seen != expected:
                raise self.found(f"{self.name(channel)}的缴费回执单:应为“{expected}”,实际为“{seen}”", rule_)
        self.script.add("then", "回执单逐行为", (RECEIPT_HEAD, *facts.rows))
        if tuple(printed.rows) != facts.rows:
            raise self.found(
                f"{self.name(channel)}的缴费回执单应逐行为{facts.rows},实际为{printed.rows}", "回执单逐年列明"
            )

    @precondition(
        lambda self: (
            self.world.batch is None and self.world.planned is None and self.who is not None and not self.who.mistyped
        )
    )
    @rule(tier=TIERS)
    @written
    def enrol_batch(self, tier: int) -> None:
        """支付宝小程序 【缴费批扣定档】: a tier now, the bank deducts on its batch day."""
        self.script.add("when", f"他在{self.name('alipay')}缴费批扣定档选择{YEAR}年度{tier}元档次")
        expected = self.world.enrol_batch("缴费人", year=YEAR, tier=tier)
        outcome = self.payments.enrol_batch("缴费人", "alipay", tier=tier, year=YEAR)
        if expected.status == "refused":
            self.expect(outcome, expected, f"在{self.name('alipay')}", refused="定档被拒绝")
            return
        self.expect_batch()

    @precondition(lambda self: self.world.batch is not None and self.world.batch.status == "待扣款")
    @rule()
    @written
    def bank_batch_day(self) -> None:
        self.script.add("when", "银行批量扣款日到了")
        self.world.batch_day("缴费人")
        self.payments.pass_batch_day()
        self.expect_batch()
        self.expect_charges()

    def expect_batch(self) -> None:
        batch = self.world.batch
        assert batch is not None
        self.script.add(
            "then", f"他在{self.name('alipay')}的批扣记录显示{batch.year}年度{batch.tier}元“{batch.status}”"
        )
        seen = [(e.year, e.tier, e.status) for e in self.payments.batch_entries("缴费人", "alipay")]
        if seen != [(batch.year, batch.tier, batch.status)]:
            raise self.found(
                f"支付宝小程序的批扣记录应为[{batch.year}年度{batch.tier}元“{batch.status}”],实际为{seen}",
                "银行在批量扣款日按定档从协议账户扣款一次",
            )

    # what the providers and the clock do ----------------------------------------------------------------------------
    @precondition(
        lambda self: self.world.planned is None and not (self.world.batch and self.world.batch.status == "待扣款")
    )
    @rule(kind=st.sampled_from(tuple(FAULTS)))
    @written
    def plan(self, kind: str) -> None:
        self.script.add("given", FAULTS[kind])
        self.payments.plan_fault(kind)
        if kind in (DECLINE, LATE_ANSWER):
            self.world.planned = kind

    @rule(day=st.sampled_from(DAYS))
    @written
    def time_passes(self, day: date) -> None:
        if day <= self.world.today:
            return
        self.script.add("given", f"时间来到{day.year}年{day.month}月{day.day}日")
        self.payments.move_clock_to(day)
        self.clock_moved(day)

    def clock_moved(self, day: date) -> None:
        """The model's day follows the tenant's clock; a batch day passed on the way has had its bank run."""
        batch = self.world.batch
        if batch is not None and batch.status == "待扣款" and batch.due <= day:
            self.world.batch_day("缴费人")
        self.world.today = day

    @precondition(lambda self: self.target.restart is not None and self.who is not None and not self.was_restarted)
    @rule()
    @written
    def restarted(self) -> None:
        """A redeploy mid-sequence: the simulator starts again on its database. What the payer did, the planned
        provider outcomes, late answers and notifications still due, the clock: none of it is lost or done twice
        (the following rules and the ledger invariant check that)."""
        restart = self.target.restart
        if restart is None:
            return
        self.script.add("when", "模拟器重启")
        self.was_restarted = True  # once a sequence is enough to lose what was not saved, and a restart is slow
        restart()

    @invariant()
    def ledger_adds_up(self) -> None:
        if not self.world.payers:
            return
        ledger = self.payments.ledger()
        if not ledger.get("ok", False):
            broken = [f"{i['title']} —— {i['detail']}" for i in ledger.get("invariants", []) if not i["ok"]]
            raise self.found("账目不一致:" + ";".join(broken), "账目一致")

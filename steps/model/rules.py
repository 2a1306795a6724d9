"""The guide's rules as the harness reads them: who may pay, what is due and why, what each choice costs and which
refusal a channel must give, and in which words.

A refusal is predicted as the rule it enforces and the words its message must hold; where several rules refuse
the same choice, any of them is a right answer (the guide orders none of them but arrears before the current year).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from fixtures.counties import current_county
from fixtures.payers import Payer
from steps.model.reference import Reference, Year

CHOOSE_TIER = "选档缴费"
SPECIAL = "特殊缴费"
REGULAR = "正常应缴"
ARREARS = "补缴"
INSURANCE = "城乡居民基本养老保险费"
MINI_PROGRAMS = frozenset({"wechat", "alipay"})  # 缴费类型 with 【特殊缴费】; the app channels tick the item instead
SYSTEM_ITEM = "【城乡居民社会养老保险(系统核定)】条目"


@dataclass(frozen=True)
class PayerFacts:
    """What the registry holds of a payer (or that they are not in it), and how the person at the screen types them."""

    name: str
    id_number: str
    birth_date: date
    county_code: str
    special_status: str | None = None
    arrears_years: tuple[int, ...] = ()
    enrolment: str = "正常"
    registered: bool = True
    check_char_mistyped: bool = False


def facts_of(payer: Payer, *, registered: bool = True, mistyped: bool = False) -> PayerFacts:
    """The facts of a payer the harness generated (and added to the registry, unless ``registered`` is False)."""
    return PayerFacts(
        name=payer.name,
        id_number=payer.id_number,
        birth_date=payer.birth_date,
        county_code=payer.county_code,
        special_status=payer.special_status,
        arrears_years=payer.arrears_years,
        enrolment=payer.enrolment,
        registered=registered,
        check_char_mistyped=mistyped,
    )


@dataclass(frozen=True)
class Due:
    year: int
    kind: str  # 正常应缴 or 补缴
    amount_fen: int
    government_fen: int = 0

    @property
    def amount(self) -> str:
        return yuan(self.amount_fen)


@dataclass(frozen=True)
class Refusal:
    rule: str  # the rule in Chinese, as a failure names it
    words: str  # what the channel's message must hold


@dataclass(frozen=True)
class Paid:
    dues: tuple[Due, ...]

    @property
    def amount_fen(self) -> int:
        return sum(d.amount_fen for d in self.dues)

    @property
    def amount(self) -> str:
        return yuan(self.amount_fen)


@dataclass(frozen=True)
class Prediction:
    """What a choice must lead to: paid with these dues, or refused by one of these rules."""

    paid: Paid | None = None
    refusals: tuple[Refusal, ...] = field(default=())

    def admits(self, message: str) -> bool:
        """Whether a refusal with this message is one the rules give."""
        return any(r.words in message for r in self.refusals)


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def age_in(birth: date, year: int, basis: str) -> int:
    """Completed years on 1 January of ``year`` (jan1), or reached on the birthday within ``year`` (dec31)."""
    on = date(year, 1, 1) if basis == "jan1" else date(year, 12, 31)
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


class RuleModel:
    """The rules over one reference-data table; every prediction is a pure function of the facts given to it."""

    def __init__(self, reference: Reference) -> None:
        self.ref = reference

    # who and when -------------------------------------------------------------------------------------------
    def eligible_age(self, payer: PayerFacts, year: int) -> bool:
        return self.ref.min_age <= age_in(payer.birth_date, year, self.ref.age_basis) < self.ref.max_age_exclusive

    def age_refusal(self, payer: PayerFacts, year: int) -> Refusal:
        words = f"不在{self.ref.min_age}周岁至{self.ref.max_age_exclusive}周岁的参保缴费年龄范围内"
        return Refusal(f"参保缴费年龄为{self.ref.min_age}周岁至未满{self.ref.max_age_exclusive}周岁", words)

    def gate(self, payer: PayerFacts, today: date) -> tuple[Year | None, tuple[Refusal, ...]]:
        """The season of ``today`` and the refusals that stop any payment before a choice counts."""
        if payer.check_char_mistyped:
            return None, (Refusal("证件号码须通过GB 11643校验位检查", "证件号码校验位错误"),)
        if not payer.registered:
            return None, (Refusal("只有参保登记中的人可以缴费", "未查询到该缴费人的有效参保信息"),)
        refusals = []
        if payer.enrolment != "正常":
            refusals.append(Refusal("参保状态正常才能缴费", f"参保状态为“{payer.enrolment}”,不能缴费"))
        season = self.ref.season_year(today)
        if season is None:
            refusals.append(Refusal("只能在缴费期内缴费", "不在城乡居民基本养老保险缴费期内"))
        return season, tuple(refusals)

    # what is due ------------------------------------------------------------------------------------------------
    def arrears(self, payer: PayerFacts, season: Year, paid_years: frozenset[int]) -> tuple[Due, ...]:
        """Open arrears: registered years inside the window before the season's year, not yet paid, oldest first."""
        window = range(season.year - self.ref.arrears_window_years, season.year)
        return tuple(
            Due(year, ARREARS, self.ref.years[year].arrears_fen)
            for year in sorted(set(payer.arrears_years))
            if year in window and year not in paid_years and year in self.ref.years
        )

    def special_current(self, payer: PayerFacts, season: Year, paid_years: frozenset[int]) -> Due | None:
        """A special-status person's current year, at the amounts the reference data sets for the status."""
        amounts = season.special.get(payer.special_status or "")
        if amounts is None or season.year in paid_years or not self.eligible_age(payer, season.year):
            return None
        return Due(season.year, REGULAR, amounts.personal_fen, amounts.government_fen)

    def system_dues(self, payer: PayerFacts, season: Year, paid_years: frozenset[int]) -> tuple[Due, ...]:
        """What 特殊缴费 (the item 系统核定) pays: open arrears, then a special-status person's current year."""
        current = self.special_current(payer, season, paid_years)
        return self.arrears(payer, season, paid_years) + ((current,) if current else ())

    # a choice ----------------------------------------------------------------------------------------------------
    def special(self, payer: PayerFacts, today: date, paid_years: frozenset[int]) -> Prediction:
        season, refused = self.gate(payer, today)
        if refused or season is None:
            return Prediction(refusals=refused)
        dues = self.system_dues(payer, season, paid_years)
        if dues:
            return Prediction(Paid(dues))
        if payer.special_status and not self.eligible_age(payer, season.year):
            return Prediction(refusals=(self.age_refusal(payer, season.year),))
        return Prediction(refusals=(Refusal("特殊缴费只缴系统带出的应缴数据", "没有需要特殊缴费的应缴数据"),))

    def choose_tier(
        self, payer: PayerFacts, today: date, paid_years: frozenset[int], *, year: int, tier: int, channel: str
    ) -> Prediction:
        season, refused = self.gate(payer, today)
        if refused or season is None:
            return Prediction(refusals=refused)
        refusals: list[Refusal] = []
        if year != season.year:
            refusals.append(Refusal("选档缴费只缴当前缴费期的年度", f"缴费年度应为当前缴费期的年度({season.year}年)"))
        elif tier not in season.tiers:
            refusals.append(Refusal("缴费档次须在该年度档次表中", f"缴费档次{tier}元不在{year}年度档次表中"))
        if payer.special_status:
            refusals.append(Refusal("特殊身份人员的应缴金额由系统核定", "应缴金额由系统核定"))
        if self.arrears(payer, season, paid_years):
            way = "选择【特殊缴费】" if channel in MINI_PROGRAMS else f"勾选{SYSTEM_ITEM}"
            refusals.append(Refusal("先缴补缴的费款,再缴当年度", f"请先{way}缴纳补缴的养老保险费"))
        if not self.eligible_age(payer, season.year):
            refusals.append(self.age_refusal(payer, season.year))
        if year in paid_years:
            refusals.append(Refusal("每个年度只缴一次", f"{year}年度{INSURANCE}已缴纳,不能重复缴费"))
        if refusals:
            return Prediction(refusals=tuple(refusals))
        return Prediction(Paid((Due(year, REGULAR, tier * 100),)))

    # who collects ---------------------------------------------------------------------------------------------------
    def authority(self, payer: PayerFacts, district: str | None = None) -> str:
        """The tax bureau on the payer's records and receipts: the district chosen in the channel (浙里办), else the
        one the payer's county belongs to today."""
        county = current_county(payer.county_code)
        return self.ref.authority(district or (county.name if county else ""))

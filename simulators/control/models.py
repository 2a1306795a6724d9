"""Shapes of the test-control API: what each call takes and what it answers, described field by field."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    StrictBool,
    StrictFloat,
    StrictInt,
    WithJsonSchema,
)

from simulators.core import defects, qrlogin, responses, tenants
from simulators.core.errors import InvalidInput
from simulators.core.people import Resident
from simulators.core.responses import Out
from simulators.core.schemas import Strict
from simulators.gateways.bank.models import BANKS


def _whole(value: object) -> object:
    """52.0 is the integer 52 (as JSON Schema counts it); 52.5, text and booleans stay for StrictInt to refuse."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# An integer as JSON has it: a whole number, written 52 or 52.0; never text or true/false.
WholeInt = Annotated[StrictInt, BeforeValidator(_whole)]

ID_NUMBER_EXAMPLE = "330203199001011236"
NOW = "2024-03-01 09:00:00"


_DAY = r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"  # the clock's own range is the clock's rule (in Chinese)
_OFFSET = r"(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)"
CLOCK_TIME = re.compile(rf"^{_DAY}[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{{1,6}})?)?{_OFFSET}?$")
DAY = re.compile(rf"^{_DAY}$")


def _text(pattern: re.Pattern[str], rule: str) -> BeforeValidator:
    """Only text of this shape: no number read as a timestamp, no other spelling the document does not show."""

    def check(value: object) -> object:
        if not isinstance(value, str) or not pattern.match(value):
            raise ValueError(rule)
        return value

    return BeforeValidator(check)


# A time for the simulated clock, as text; an offset given (Z, +08:00) is dropped, as setting the clock always did:
# the clock shows wall time, and a clock that kept an offset would not compare with the naive times it is read with.
ClockTime = Annotated[
    datetime,
    _text(CLOCK_TIME, "应为 YYYY-MM-DD HH:MM:SS 格式的时间"),
    AfterValidator(lambda when: when.replace(tzinfo=None)),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": CLOCK_TIME.pattern,
            "examples": ["2024-06-30 23:59:00"],
            "description": "时间(YYYY-MM-DD HH:MM:SS,或 ISO 8601 的 T 分隔;时区后缀不计入)",
        }
    ),
]
Day = Annotated[
    date,
    _text(DAY, "应为 YYYY-MM-DD 格式的日期"),
    WithJsonSchema({"type": "string", "pattern": DAY.pattern, "examples": ["1990-01-01"]}),
]


def _examples(*examples: dict[str, JsonValue]) -> ConfigDict:
    """A model's examples in its JSON schema (the OpenAPI document shows them, the fuzz run sends them)."""
    return ConfigDict(json_schema_extra={"examples": list(examples)})


# requests -------------------------------------------------------------------------------------------------------
class PayerSpec(Strict):
    name: str = Field(min_length=1, max_length=50, description="姓名", examples=["王芳"])
    id_number: str = Field(
        min_length=15, max_length=18, description="证件号码(居民身份证号码,校验位须正确)", examples=[ID_NUMBER_EXAMPLE]
    )
    phone: str = Field(pattern=r"^1\d{10}$", description="手机号码(11位,以1开头)", examples=["13800000001"])
    gender: str = Field(default="", max_length=1, description="性别;不给时由证件号码得出")
    birth_date: Day | None = Field(default=None, description="出生日期;不给时由证件号码得出")
    county_code: str = Field(default="330200", pattern=r"^\d{6}$", description="参保地行政区划代码(6位)")
    id_type: str = Field(default="居民身份证", max_length=20, description="证件类型")
    special_status: Literal["残疾人员", "低保对象", "低保边缘户", "特困人员"] | None = Field(
        default=None, description="特殊身份;普通缴费人为 null"
    )
    arrears_years: list[Annotated[WholeInt, Field(ge=1900, le=2100)]] = Field(
        default_factory=list, max_length=20, description="欠缴的年度"
    )
    enrolment: Literal["正常", "未参保", "暂停", "终止"] = Field(default="正常", description="参保状态")

    def payer(self) -> Resident:
        return Resident(
            name=self.name,
            id_number=self.id_number,
            phone=self.phone,
            gender=self.gender,
            birth_date=self.birth_date or date(1900, 1, 1),
            county_code=self.county_code,
            id_type=self.id_type,
            special_status=self.special_status,
            arrears_years=tuple(self.arrears_years),
            enrolment=self.enrolment,
        )


class TenantIn(Strict):
    model_config = _examples(
        {"seed": 7, "generated_payers": 3}, {"seed": 42, "now": "2024-06-30T23:59:00", "frozen": True}
    )

    id: str | None = Field(
        default=None,
        pattern=tenants.TENANT_ID.pattern,
        description="租户编号(字母、数字、下划线、点和横线);不给时自动生成",
    )
    seed: WholeInt | None = Field(
        default=None, ge=0, lt=2**63, description="随机种子:同一种子生成同样的缴费人;不给时随机"
    )
    generated_payers: WholeInt = Field(default=0, ge=0, le=500, description="按种子生成的缴费人数")
    payers: list[PayerSpec] = Field(default_factory=list, max_length=500, description="另外登记的缴费人")
    now: ClockTime | None = Field(default=None, description="模拟时钟的起始时间;不给时为默认时间")
    frozen: StrictBool = Field(default=False, description="模拟时钟是否冻结(冻结时不随真实时间走)")


class PayersIn(Strict):
    model_config = _examples({"payers": [{"name": "王芳", "id_number": ID_NUMBER_EXAMPLE, "phone": "13800000001"}]})

    payers: list[PayerSpec] = Field(min_length=1, max_length=500, description="要登记的缴费人(至少1个)")


class ClockIn(Strict):
    model_config = _examples({"now": "2024-06-30T23:59:00", "frozen": True})

    now: ClockTime = Field(description="模拟时钟的新时间")
    frozen: StrictBool | None = Field(default=None, description="是否冻结;不给时保持原状")


class AdvanceIn(Strict):
    model_config = _examples({"seconds": 1800})

    seconds: StrictFloat = Field(gt=0, le=10 * 365 * 86400, description="拨快的秒数(大于0,不超过10年)")


class FaultSpec(Strict):
    kind: Literal[
        "decline",
        "notify_late",
        "notify_twice",
        "notify_resent",
        "notify_forged",
        "notify_stale",
        "notify_wrong_amount",
        "cancel",
        "timeout_then_success",
        "query_first",
    ] = Field(
        description="故障类型:decline 拒绝支付、notify_late 通知延迟、notify_twice 通知重复、"
        "notify_resent 应答丢失后重发、notify_forged 伪造通知、"
        "notify_stale 签名时间过时的通知、notify_wrong_amount 金额不符的通知、cancel 在收银台取消支付、"
        "timeout_then_success 扣款后应答超时(稍后确认成功)、query_first 通知在渠道查询之后才送达"
    )
    gateway: str = Field(
        default="*",
        min_length=1,
        max_length=16,
        description="支付渠道代码(wechatpay、alipay、alipay_qr、ccb、agreement);* 为任一渠道",
    )
    times: WholeInt = Field(default=1, ge=1, le=100, description="生效次数")
    delay_seconds: WholeInt = Field(default=600, ge=1, le=86400 * 3, description="通知延迟的秒数(notify_late)")


class FaultsIn(Strict):
    model_config = _examples({"faults": [{"kind": "decline", "gateway": "wechatpay"}]}, {"faults": []})

    faults: list[FaultSpec] = Field(max_length=50, description="故障计划(替换原有计划;[] 为清空)")


class AgreementIn(Strict):
    model_config = _examples({"id_number": ID_NUMBER_EXAMPLE, "bank": "中国建设银行", "balance": "500.00"})

    id_number: str = Field(min_length=15, max_length=18, description="缴费人的证件号码(须已登记在该租户)")
    bank: str = Field(
        default="中国建设银行", max_length=20, description="开户银行", json_schema_extra={"enum": list(BANKS)}
    )
    balance: Decimal = Field(
        default=Decimal("10000"), ge=0, le=10**8, max_digits=12, decimal_places=2, description="账户余额(元)"
    )
    account: str | None = Field(default=None, pattern=r"^\d{12,19}$", description="银行账号(12至19位数字);不给时生成")
    agreement_no: str | None = Field(
        default=None, pattern=r"^[0-9A-Za-z]{8,32}$", description="三方协议号(8至32位字母或数字);不给时生成"
    )

    def balance_fen(self) -> int:
        return int(self.balance * 100)


class LoginScanIn(Strict):
    """A tax app scans a login QR code and its user confirms: what the code says, which app scanned it, and
    optionally whose app it is (the login is refused when that is not the account's person)."""

    model_config = _examples(
        {"payload": "https://etax.ningbo.chinatax.gov.cn/sso/qrlogin?ticket=T123&app=taxapp", "app": "taxapp"}
    )

    payload: str = Field(
        min_length=1,
        max_length=300,
        description="二维码的内容(登录页二维码解码所得)",
        json_schema_extra={"pattern": qrlogin._PAYLOAD.pattern},
    )
    app: Literal["taxapp", "iit"] = Field(description="扫码的APP:taxapp 税务APP,iit 个人所得税APP")
    id_number: str | None = Field(default=None, max_length=18, description="APP用户的证件号码;给出时须为该登录的本人")


class DefectsIn(Strict):
    """The tenant's active defects, by catalogue name: the whole set, replacing the one before ([]: none)."""

    model_config = _examples({"defects": ["tier_extra_offered"]}, {"defects": []})

    defects: list[str] = Field(
        max_length=100,
        description="要打开的缺陷名称(见 GET /__sim/defects;[] 为全部关闭)",
        json_schema_extra={"items": {"type": "string", "enum": list(defects.CATALOGUE)}},
    )

    def names(self) -> list[str]:
        """The names, each once and in catalogue order; an unknown one is refused before anything changes."""
        missing = defects.unknown(self.defects)
        if missing:
            raise InvalidInput(f"缺陷目录中没有{'、'.join(missing)}:可选的缺陷见 GET /__sim/defects", field="defects")
        return [name for name in defects.CATALOGUE if name in self.defects]


# answers --------------------------------------------------------------------------------------------------------
class PayerOut(Out):
    name: str = Field(description="姓名")
    id_type: str = Field(description="证件类型")
    id_number: str = Field(description="证件号码(完整)")
    phone: str = Field(description="手机号码(完整)")
    gender: str = Field(description="性别")
    birth_date: str = Field(description="出生日期(YYYY-MM-DD)")
    county_code: str = Field(description="参保地行政区划代码")
    enrolment: str = Field(description="参保状态")
    insurances: list[str] = Field(description="参保的险种代码")
    special_status: str | None = Field(description="特殊身份;普通缴费人为 null")
    arrears_years: list[int] = Field(description="欠缴的年度")


class FaultOut(Out):
    kind: str = Field(description="故障类型")
    gateway: str = Field(description="支付渠道代码;* 为任一渠道")
    times: int = Field(description="剩余生效次数")
    delay_seconds: int = Field(description="通知延迟的秒数")


class ClockOut(Out):
    model_config = _examples({"now": NOW, "frozen": False})

    now: str = Field(description="模拟时钟的当前时间(YYYY-MM-DD HH:MM:SS)")
    frozen: bool = Field(description="模拟时钟是否冻结")


class TenantOut(Out):
    model_config = _examples({"id": "t-1", "seed": 7, "now": NOW, "frozen": False, "faults": [], "payers": []})

    id: str = Field(description="租户编号")
    seed: int = Field(description="随机种子")
    now: str = Field(description="模拟时钟的当前时间(YYYY-MM-DD HH:MM:SS)")
    frozen: bool = Field(description="模拟时钟是否冻结")
    faults: list[FaultOut] = Field(description="尚未生效的故障计划")
    payers: list[PayerOut] = Field(description="租户的缴费人")


class SecretsOut(Out):
    model_config = _examples({"merchant_key": "9f2c" * 16})

    merchant_key: str = Field(description="商户密钥(创建租户时随机生成,重置后不变),用于以支付渠道或商户身份签名")


class PayersOut(Out):
    payers: list[PayerOut] = Field(description="缴费人")


class ClockChangeOut(ClockOut):
    """The clock after a change, and what fell due on it: each job of the delivery worker's ``clock_jobs`` answers
    under its name, declared here (an undeclared one fails the answer loudly)."""

    model_config = _examples(
        {"now": NOW, "frozen": True, "notifications_delivered": 0, "batch_deductions": [], "unreconciled": 0}
    )

    notifications_delivered: int = Field(description="到期后送达的支付结果通知数")
    batch_deductions: list[responses.EnrolmentOut] = Field(description="到期执行的批量扣款")
    unreconciled: int = Field(description="通知逾期、对账时仍联系不上支付渠道的支付数")


class SmsOut(Out):
    phone: str = Field(description="接收短信的手机号码")
    text: str = Field(description="短信全文")
    code: str | None = Field(description="短信中的验证码;通知短信为 null")
    sent_at: str = Field(description="发送时间(模拟时钟)")


class InboxOut(Out):
    model_config = _examples(
        {
            "messages": [
                {"phone": "13800000001", "text": "【宁波税务】您的验证码为123456", "code": "123456", "sent_at": NOW}
            ]
        }
    )

    messages: list[SmsOut] = Field(description="短信,按发送先后")


class CaptchaOut(Out):
    model_config = _examples({"id": "c1", "text": "A7K2", "expires_at": NOW, "used": False})

    id: str = Field(description="随机验证码编号")
    text: str = Field(description="图片上显示的字符")
    expires_at: str = Field(description="失效时间(模拟时钟)")
    used: bool = Field(description="是否已使用")


class ScanOut(Out):
    model_config = _examples({"ticket": "T123", "app": "taxapp", "state": "已扫码确认"})

    ticket: str = Field(description="登录二维码编号")
    app: str = Field(description="扫码的APP")
    state: str = Field(description="二维码状态:待扫码、已扫码确认、已过期、已登录")


class FaultsOut(Out):
    model_config = _examples(
        {"faults": [{"kind": "decline", "gateway": "wechatpay", "times": 1, "delay_seconds": 600}]}
    )

    faults: list[FaultOut] = Field(description="尚未生效的故障计划,按生效先后")


class DefectOut(Out):
    name: str = Field(description="缺陷名称")
    area: str = Field(description="所属方面(参考数据、缴费规则…)")
    rule: str = Field(description="它违反的指南规则")
    description: str = Field(description="缺陷表现,测试人员报告的说法")
    surface: Literal["rule", "page"] = Field(description="由谁发现:rule 规则特性(接口驱动),page 界面走查")


class CatalogueOut(Out):
    catalogue: list[DefectOut] = Field(description="缺陷目录")


class TenantDefectsOut(CatalogueOut):
    model_config = _examples({"catalogue": [], "active": ["tier_extra_offered"]})

    active: list[str] = Field(description="该租户打开的缺陷,按目录顺序")


class JournalEntryOut(Out):
    at: str = Field(description="请求时间(真实时间)")
    method: str = Field(description="请求方法")
    path: str = Field(description="请求路径")
    status: int = Field(description="响应状态码")
    millis: float = Field(description="耗时(毫秒)")
    request: str = Field(description="请求内容(节选)")
    response: str = Field(description="响应内容(节选)")


class JournalOut(Out):
    entries: list[JournalEntryOut] = Field(description="该租户的渠道请求,按先后(不含控制接口)")


class ChargeOut(Out):
    gateway: str = Field(description="支付渠道代码")
    out_trade_no: str = Field(description="商户订单号")
    state: str = Field(description="支付渠道的交易状态")
    paid: bool = Field(description="是否已扣款")
    amount: str = Field(description="交易金额(元)")
    transaction_id: str | None = Field(description="支付渠道的交易号;未支付为 null")


class InvariantOut(Out):
    name: str = Field(description="不变式名称")
    title: str = Field(description="不变式说明")
    ok: bool = Field(description="是否成立")
    detail: str = Field(description="核对详情")


class LedgerOut(Out):
    model_config = _examples(
        {
            "orders": [],
            "records": [],
            "charges": [],
            "notifications": {},
            "invariants": [],
            "ok": True,
            "verdict": "一致",
        }
    )

    orders: list[responses.OrderOut] = Field(description="订单")
    records: list[responses.RecordOut] = Field(description="缴费记录")
    charges: list[ChargeOut] = Field(description="支付渠道实际的扣款")
    notifications: dict[str, int] = Field(description="支付结果通知数,按状态")
    invariants: list[InvariantOut] = Field(description="账目不变式及核对结果")
    ok: bool = Field(description="全部不变式是否成立")
    verdict: str = Field(description="结论:一致,或 不一致:及不成立的不变式")


class AgreementOut(responses.AgreementOut):
    """An agreement as the control API shows it: as a channel shows it, with the whole ID number and the balance."""

    model_config = _examples(
        {
            "agreement_no": "3320240301000001",
            "name": "王芳",
            "bank": "中国建设银行",
            "account": "6217********1234",
            "status": "有效",
            "signed_at": NOW,
            "revoked_at": None,
            "id_number": ID_NUMBER_EXAMPLE,
            "balance": "500.00",
        }
    )

    id_number: str = Field(description="签约人证件号码(完整)")
    balance: str = Field(description="账户余额(元)")


class AgreementsOut(Out):
    agreements: list[AgreementOut] = Field(description="三方协议,按签订先后")


class EnrolmentsOut(Out):
    enrolments: list[responses.EnrolmentOut] = Field(description="缴费批扣定档登记")

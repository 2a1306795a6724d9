"""Errors the simulator answers with. Every one carries a Chinese message naming the field and the rule.

    SimError                 400  the base: code, field, message
    ├── BadBody              400  a body that cannot be read (not UTF-8, JSON nested too deep)
    ├── CrossSite            403  a request a cross-site page could send, without this site's Origin or Referer
    ├── TooLarge             413  a body over the limit
    ├── InvalidInput         422  a field breaks a format or value rule
    ├── NotAuthorized        401  the channel's way in was not taken (authorization, login)
    ├── NotFound             404  no such payer, order, tenant
    ├── RuleRefused          409  a business rule refuses it (arrears first, already paid, not eligible)
    └── GatewayUnavailable   502  the payment provider could not be reached or answered garbage

A refusal normally writes nothing; one that is itself a fact to keep (``kept``) commits what came before it.
The JSON body is always ``{"error": {"code": …, "field": …, "message": …}}``; pages show ``message``.
"""

from __future__ import annotations

from typing import Any

FIELD_LABELS = {
    "name": "姓名",
    "id_type": "证件类型",
    "id_number": "证件号码",
    "phone": "手机号码",
    "insurance": "险种",
    "pay_type": "缴费类型",
    "year": "缴费年度",
    "tier": "缴费档次",
    "expected_amount": "缴费金额",
    "amount": "缴费金额",
    "idempotency_key": "提交编号",
    "gateway": "缴费渠道",
    "order_no": "订单号",
    "seed": "随机种子",
    "payers": "缴费人",
    "seconds": "秒数",
    "now": "时间",
    "faults": "故障计划",
    "kind": "故障类型",
    "sms_code": "短信验证码",
    "password": "密码",
    "password_confirm": "确认密码",
    "captcha": "随机验证码",
    "captcha_id": "随机验证码",
    "purpose": "验证码用途",
    "business": "业务类型",
    "district": "地区",
    "login": "登录",
    "font": "回执单字体",
    "token": "支付宝登录",
    "agreement": "三方协议",
    "bank": "开户银行",
    "balance": "账户余额",
    "account": "银行账号",
    "agreement_no": "三方协议号",
    "signature": "签名",
    "merchant_id": "商户号",
    "username": "用户名",
    "login_name": "居民身份证号码/手机号码/用户名",
    "factor": "登录验证",
    "ticket": "二维码",
    "scan_app": "扫码APP",
}


def label(field: str | None) -> str:
    return FIELD_LABELS.get(field or "", field or "")


class SimError(Exception):
    status = 400
    code = "bad_request"
    kept = False  # True: what the request wrote before the refusal is committed (a wrong password counts)

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "field": label(self.field) or None, "message": self.message}}


class BadBody(SimError):
    status = 400
    code = "invalid_body"


class CrossSite(SimError):
    status = 403
    code = "cross_site"


class TooLarge(SimError):
    status = 413
    code = "body_too_large"


class InvalidInput(SimError):
    status = 422
    code = "invalid_input"


class NotAuthorized(SimError):
    status = 401
    code = "not_authorized"


class NotFound(SimError):
    status = 404
    code = "not_found"


class RuleRefused(SimError):
    status = 409
    code = "rule_refused"


class GatewayUnavailable(SimError):
    status = 502
    code = "gateway_unavailable"

    def __init__(self, message: str, *, field: str | None = None, cause: str = "") -> None:
        super().__init__(message, field=field)
        self.cause = cause  # what the call met (ConnectTimeout, HTTP 500, …): kept when the message is reworded


def validation_message(error: dict[str, Any]) -> tuple[str | None, str]:
    """A Chinese sentence for one pydantic validation error: (field, message)."""
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
    field = loc[-1] if loc else None
    name = label(field) or "请求"
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return field, f"{name}为必填项"
    if kind == "string_too_long":
        return field, f"{name}不能超过{ctx.get('max_length')}个字符"
    if kind == "string_too_short":
        return field, f"{name}不能为空" if ctx.get("min_length") == 1 else f"{name}至少{ctx.get('min_length')}个字符"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return field, f"{name}应为整数"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return field, f"{name}超出允许范围"
    if kind in ("literal_error", "enum"):
        return field, f"{name}的取值不在允许范围内:{ctx.get('expected', '')}"
    if kind == "json_invalid":
        return None, "请求内容不是有效的JSON"
    if kind == "extra_forbidden":
        return field, f"不接受字段{name}"
    return field, f"{name}格式不正确"

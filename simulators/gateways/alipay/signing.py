"""Alipay open-platform signatures, with HMAC-SHA256 under the tenant's merchant key standing in for RSA2.

Requests:      every parameter but ``sign`` with a value, sorted by name, joined as ``k=v&k=v`` (raw values);
               the base64 signature goes in ``sign``, next to ``sign_type=RSA2``.
Responses:     ``{"<method>_response": {…}, "sign": "…"}`` signed over the exact JSON text of the response
               object; error answers (code ≠ 10000) may come unsigned.
Notifications: a form signed like a request, but without ``sign`` and ``sign_type`` in the signed string. Its
               ``notify_time`` is when it was sent: every delivery (the first and each resend) is stamped with the
               tenant's time then and signed anew, and the merchant refuses a form whose ``notify_time`` is more than
               5 minutes from its own now (Alipay prescribes no window; we take WeChat Pay's, so that a genuine form
               replayed later is refused while a resend, stamped afresh, is not).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from simulators.gateways import forms

SIGN_TYPE = "RSA2"
SUCCESS_CODE = "10000"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def content(params: Mapping[str, str], exclude: tuple[str, ...] = ("sign",)) -> str:
    """The string that is signed: sorted ``k=v`` pairs, empty values and excluded names left out."""
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in exclude and v != "")


def sign(key: str, message: str) -> str:
    return base64.b64encode(hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()).decode()


def _holds(key: str, message: str, signature: str) -> bool:
    return hmac.compare_digest(sign(key, message), signature)


def sign_request(key: str, params: Mapping[str, str]) -> dict[str, str]:
    signed = {**params, "sign_type": SIGN_TYPE}
    return {**signed, "sign": sign(key, content(signed))}


def check_request(key: str, params: Mapping[str, str]) -> bool:
    return _holds(key, content(params), params.get("sign", ""))


def sign_notification(key: str, params: Mapping[str, str]) -> dict[str, str]:
    return {**params, "sign_type": SIGN_TYPE, "sign": sign(key, content(params, ("sign", "sign_type")))}


def check_notification(key: str, params: Mapping[str, str]) -> bool:
    return params.get("sign_type") == SIGN_TYPE and _holds(
        key, content(params, ("sign", "sign_type")), params.get("sign", "")
    )


def sign_delivery(key: str, body: str, now: datetime) -> tuple[str, dict[str, str]]:
    """The notification form as sent at ``now``: ``notify_time`` set to it, signed anew; the rest unchanged."""
    return forms.resent(body, "notify_time", now, TIME_FORMAT, lambda params: sign_notification(key, params)), {}


def notification_time(params: Mapping[str, str]) -> datetime | None:
    """The form's ``notify_time``, or None when it is missing or malformed."""
    return forms.sent_at(params, "notify_time", TIME_FORMAT)


def response_name(method: str) -> str:
    """``alipay.trade.query`` answers in ``alipay_trade_query_response``."""
    return method.replace(".", "_") + "_response"


def response_text(key: str | None, method: str, payload: Mapping[str, Any]) -> str:
    """The answer's exact text; signed when a key is given."""
    inner = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    name = json.dumps(response_name(method) if method else "error_response")
    if key is None:
        return f"{{{name}:{inner}}}"
    return f'{{{name}:{inner},"sign":{json.dumps(sign(key, inner))}}}'


def open_response(key: str, method: str, text: str) -> dict[str, Any] | None:
    """The response object, once its signature holds (an error answer needs none); None when it does not.
    Raises ValueError for text that is not such an answer at all."""
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("not an Alipay answer")
    name = response_name(method)
    body = data.get(name, data.get("error_response"))
    if not isinstance(body, dict):
        raise ValueError("not an Alipay answer")
    if body.get("code") != SUCCESS_CODE and "sign" not in data:
        return body
    prefix, suffix = f'{{"{name}":', ',"sign":'
    if not text.startswith(prefix) or suffix not in text:
        return None
    inner = text[len(prefix) : text.rindex(suffix)]
    return body if _holds(key, inner, str(data.get("sign", ""))) else None

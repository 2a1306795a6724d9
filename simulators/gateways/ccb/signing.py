"""CCB's MAC (requests) and SIGN (notifications), with HMAC-SHA256 in hex under the tenant's merchant key
standing in for CCB's MD5 MAC and RSA signature.

Both are taken over the message's fields in CCB's fixed order (not sorted), each as ``NAME=value`` with empty
values kept, joined by ``&``.

CCB's notification carries only the accounting date (ACCDATE); the simulator adds NOTIFYTIME (YYYYMMDDHHMMSS,
the format of TIMEOUT), the time the form was sent, last among the signed fields. Every delivery is stamped with
the tenant's time then and signed anew, and the merchant refuses a form more than 5 minutes off its own now.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime

from simulators.gateways import forms

ORDER = (
    "MERCHANTID",
    "POSID",
    "BRANCHID",
    "ORDERID",
    "PAYMENT",
    "CURCODE",
    "TXCODE",
    "REMARK1",
    "REMARK2",
    "TIMEOUT",
    "NOTIFYURL",
)
LOOKUP = ("MERCHANTID", "POSID", "BRANCHID", "ORDERID", "TXCODE")
REFUND = ("MERCHANTID", "POSID", "BRANCHID", "ORDERID", "MONEY", "REFUND_CODE", "TXCODE", "REMARK1")
NOTICE = (
    "POSID",
    "BRANCHID",
    "ORDERID",
    "PAYMENT",
    "CURCODE",
    "REMARK1",
    "REMARK2",
    "ACC_TYPE",
    "SUCCESS",
    "TYPE",
    "REFERER",
    "CLIENTIP",
    "ACCDATE",
    "ERRMSG",
    "NOTIFYTIME",
)
TIME_FORMAT = "%Y%m%d%H%M%S"


def content(fields: tuple[str, ...], params: Mapping[str, str]) -> str:
    return "&".join(f"{name}={params.get(name, '')}" for name in fields)


def _mac(key: str, fields: tuple[str, ...], params: Mapping[str, str]) -> str:
    return hmac.new(key.encode(), content(fields, params).encode(), hashlib.sha256).hexdigest()


def with_mac(key: str, fields: tuple[str, ...], params: Mapping[str, str]) -> dict[str, str]:
    return {**params, "MAC": _mac(key, fields, params)}


def check_mac(key: str, fields: tuple[str, ...], params: Mapping[str, str]) -> bool:
    return hmac.compare_digest(_mac(key, fields, params), params.get("MAC", ""))


def with_sign(key: str, params: Mapping[str, str]) -> dict[str, str]:
    return {**params, "SIGN": _mac(key, NOTICE, params)}


def check_sign(key: str, params: Mapping[str, str]) -> bool:
    return hmac.compare_digest(_mac(key, NOTICE, params), params.get("SIGN", ""))


def sign_delivery(key: str, body: str, now: datetime) -> tuple[str, dict[str, str]]:
    """The notification form as sent at ``now``: NOTIFYTIME set to it and SIGN taken anew; the rest unchanged."""
    return forms.resent(body, "NOTIFYTIME", now, TIME_FORMAT, lambda params: with_sign(key, params)), {}


def notification_time(params: Mapping[str, str]) -> datetime | None:
    """The form's NOTIFYTIME, or None when it is missing or malformed."""
    return forms.sent_at(params, "NOTIFYTIME", TIME_FORMAT)

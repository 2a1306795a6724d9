"""CCB's MAC (requests) and SIGN (notifications), with HMAC-SHA256 in hex under the tenant's merchant key
standing in for CCB's MD5 MAC and RSA signature.

Both are taken over the message's fields in CCB's fixed order (not sorted), each as ``NAME=value`` with empty
values kept, joined by ``&``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

ORDER = ("MERCHANTID", "POSID", "BRANCHID", "ORDERID", "PAYMENT", "CURCODE", "TXCODE", "REMARK1", "REMARK2",
         "TIMEOUT", "NOTIFYURL")
LOOKUP = ("MERCHANTID", "POSID", "BRANCHID", "ORDERID", "TXCODE")
NOTICE = ("POSID", "BRANCHID", "ORDERID", "PAYMENT", "CURCODE", "REMARK1", "REMARK2", "ACC_TYPE", "SUCCESS",
          "TYPE", "REFERER", "CLIENTIP", "ACCDATE", "ERRMSG")


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

"""The bank's request signature, with HMAC-SHA256 under the tenant's merchant key standing in for the bank's
certificate: ``X-Bank-Signature: t=<timestamp>,sig=<base64>`` over ``"METHOD\\nPATH\\nTIMESTAMP\\nBODY"``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

HEADER = "X-Bank-Signature"
_PARTS = re.compile(r"^t=(\d+),sig=([A-Za-z0-9+/=]+)$")


def _sign(key: str, method: str, path: str, timestamp: str, body: str) -> str:
    message = f"{method}\n{path}\n{timestamp}\n{body}"
    return base64.b64encode(hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()).decode()


def header(key: str, method: str, path: str, body: str, timestamp: int) -> str:
    return f"t={timestamp},sig={_sign(key, method, path, str(timestamp), body)}"


def holds(key: str, value: str, method: str, path: str, body: str) -> bool:
    parts = _PARTS.match(value or "")
    if parts is None:
        return False
    return hmac.compare_digest(_sign(key, method, path, parts.group(1), body), parts.group(2))

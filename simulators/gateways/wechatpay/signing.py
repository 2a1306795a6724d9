"""WeChat Pay v3 signatures, with HMAC-SHA256 standing in for RSA: the same messages, headers and checks.

Requests:      Authorization: WECHATPAY2-SHA256-HMAC mchid="…",nonce_str="…",timestamp="…",signature="…"
               over "METHOD\\nURL\\nTIMESTAMP\\nNONCE\\nBODY\\n".
Notifications: Wechatpay-Timestamp, Wechatpay-Nonce, Wechatpay-Signature, Wechatpay-Serial
               over "TIMESTAMP\\nNONCE\\nBODY\\n"; signed anew at every delivery, the timestamp being the
               tenant's time then (Unix seconds, the naive times of the simulator being Beijing time).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta, timezone

SCHEME = "WECHATPAY2-SHA256-HMAC"
SERIAL = "SIM-WECHATPAY-PLATFORM-1"
_AUTH = re.compile(r'(\w+)="([^"]*)"')
BEIJING = timezone(timedelta(hours=8))


def sign(key: str, message: str) -> str:
    return base64.b64encode(hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()).decode()


def authorization(key: str, mchid: str, method: str, url: str, body: str, timestamp: int) -> str:
    nonce = secrets.token_hex(16)
    signature = sign(key, f"{method}\n{url}\n{timestamp}\n{nonce}\n{body}\n")
    return f'{SCHEME} mchid="{mchid}",nonce_str="{nonce}",timestamp="{timestamp}",signature="{signature}"'


def check_authorization(key: str, header: str, method: str, url: str, body: str) -> bool:
    if not header.startswith(SCHEME + " "):
        return False
    parts = dict(_AUTH.findall(header))
    message = f"{method}\n{url}\n{parts.get('timestamp', '')}\n{parts.get('nonce_str', '')}\n{body}\n"
    return hmac.compare_digest(sign(key, message), parts.get("signature", ""))


def notification_headers(key: str, body: str, timestamp: int) -> dict[str, str]:
    nonce = secrets.token_hex(16)
    return {
        "Content-Type": "application/json",
        "Wechatpay-Timestamp": str(timestamp),
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": sign(key, f"{timestamp}\n{nonce}\n{body}\n"),
        "Wechatpay-Serial": SERIAL,
    }


def check_notification(key: str, headers: dict[str, str], body: str) -> bool:
    lower = {k.lower(): v for k, v in headers.items()}
    if lower.get("wechatpay-serial") != SERIAL:
        return False
    message = f"{lower.get('wechatpay-timestamp', '')}\n{lower.get('wechatpay-nonce', '')}\n{body}\n"
    return hmac.compare_digest(sign(key, message), lower.get("wechatpay-signature", ""))


def epoch(moment: datetime) -> int:
    """A naive simulator time (Beijing time) as Unix seconds."""
    return int(moment.replace(tzinfo=BEIJING).timestamp())


def sign_delivery(key: str, body: str, now: datetime) -> tuple[str, dict[str, str]]:
    """The notification as sent at ``now``: the same body, headers signed with that time."""
    return body, notification_headers(key, body, epoch(now))


def notification_time(headers: dict[str, str]) -> datetime | None:
    """When the notification says it was sent (``Wechatpay-Timestamp``), as a naive Beijing time."""
    stamp = {k.lower(): v for k, v in headers.items()}.get("wechatpay-timestamp", "")
    if not stamp.isdigit() or len(stamp) > 12:
        return None
    return datetime.fromtimestamp(int(stamp), BEIJING).replace(tzinfo=None)

"""The payer's side of each provider's cashier, as the API driver confirms a payment."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import httpx

from steps.drivers.api.backend import Refused, answer
from steps.drivers.protocol import AT_CASHIER, CANCEL_AT_CASHIER, Choice, pause

ALIPAY_QR = "/pay/alipay/qr/"  # where 支付宝扫码支付 shows its payment code
CODE_PICTURE = re.compile(r"<img\b[^>]*\balt=\"支付宝付款码\"[^>]*>")
SRC = re.compile(r"\bsrc=\"([^\"]+)\"")


def confirm(http: httpx.Client, cashier_url: str, choice: Choice | None = None) -> dict[str, str]:
    """Press the cashier's pay button (or 取消支付, as ``choice`` says, after its pause there): POST to the page's
    own action. A cashier that keeps the person (a closed trade, say) is Refused with what it says, as its page
    shows it beside the button."""
    pause(choice, AT_CASHIER)
    action = "cancel" if choice is not None and choice.at_cashier == CANCEL_AT_CASHIER else "pay"
    path = urlsplit(cashier_url).path
    response = http.post(path.rstrip("/") + "/" + action, json={})
    data = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
    if response.is_error:
        error = data.get("error") if isinstance(data, dict) and isinstance(data.get("error"), dict) else data
        said = error.get("message") if isinstance(error, dict) else None
        raise Refused(str(said or f"收银台答复状态码{response.status_code}"))
    return data if isinstance(data, dict) else {}


def payment_picture(http: httpx.Client, qr_page: str) -> bytes:
    """The payment code the person saves: the PNG the page shows as its 支付宝付款码 image, the same code a 截屏 of
    the page captures (宁波税务APP, 电子税务局) and the same file 【保存图片】 downloads (浙里办), so one reading
    serves every guide."""
    page = http.get(qr_page)
    tag = CODE_PICTURE.search(page.text)
    source = SRC.search(tag.group(0)) if tag else None
    if source is None:
        raise Refused("付款码页面上没有支付宝付款码图片")
    return http.get(urljoin(str(page.url), source.group(1).replace("&amp;", "&"))).content


def scan_picture(http: httpx.Client, picture: bytes) -> str:
    """The saved picture scanned with the Alipay app's 扫一扫 → 从相册选择; returns the cashier the scan opens."""
    scanned = http.post("/pay/alipay/scan", content=picture, headers={"Content-Type": "image/png"})
    return str(answer(scanned)["cashier_url"])


def scan_payment_code(http: httpx.Client, qr_page: str) -> str:
    """The payment code of the page saved and scanned at once; returns the cashier the scan opens."""
    return scan_picture(http, payment_picture(http, qr_page))

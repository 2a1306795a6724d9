"""The payer's side of each provider's cashier, as the API driver confirms a payment."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import httpx

from steps.drivers.api.backend import Refused, answer


def confirm(http: httpx.Client, cashier_url: str) -> dict[str, str]:
    """Press the cashier's pay button: POST to the page's own action."""
    path = urlsplit(cashier_url).path
    response = http.post(path.rstrip("/") + "/pay", json={})
    return response.json() if response.headers.get("content-type", "").startswith("application/json") else {}


SAVE_IMAGE = re.compile(r"<a\b[^>]*\bhref=\"([^\"]+)\"[^>]*\bdownload\b[^>]*>\s*保存图片\s*</a>", re.S)


def save_and_scan(http: httpx.Client, qr_page: str) -> str:
    """A payment code to save and scan: 【保存图片】 on the code's page (the PNG it downloads), then the Alipay app's
    扫一扫 → 从相册选择 with that picture; returns the cashier the scan opens."""
    page = http.get(qr_page)
    link = SAVE_IMAGE.search(page.text)
    if link is None:
        raise Refused("付款码页面上没有【保存图片】")
    saved = http.get(urljoin(str(page.url), link.group(1).replace("&amp;", "&")))
    scanned = http.post("/pay/alipay/scan", content=saved.content,
                        headers={"Content-Type": saved.headers.get("content-type", "image/png")})
    return str(answer(scanned)["cashier_url"])

"""Alipay QR pay (precreate): the QR page and its PNG, the Alipay app's scanner reading a saved picture or a
screenshot, and its refusals."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
import segno
from PIL import Image
from playwright.sync_api import Page, ViewportSize, expect

from fixtures.payers import Payer
from fixtures.simulator import EmbeddedSimulator, SimControl
from simulators.gateways.alipay import models as alipay
from tests.provider_side import Merchant, qr_payloads

if TYPE_CHECKING:
    from tests.conftest import Wechat

PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture
def shop(sim: EmbeddedSimulator, wechat: Wechat) -> Merchant:
    return Merchant(sim, wechat)


def _scan(shop: Merchant, picture: bytes, kind: str = "image/png") -> httpx.Response:
    with shop.http() as http:  # the Alipay app: no tenant, no cookie
        return http.post("/pay/alipay/scan", content=picture, headers={"Content-Type": kind})


def _png(payload: str) -> bytes:
    out = io.BytesIO()
    segno.make(payload, error="m").save(out, kind="png", scale=6, border=4)
    return out.getvalue()


def test_the_qr_page_shows_a_code_that_scans_to_the_cashier_and_pays(
    sim_control: SimControl, tenant: str, shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    order_no, qr_url = shop.paying(enrol(), "alipay_qr")
    trade = shop.trade(order_no)
    assert (trade.gateway, trade.state) == ("alipay_qr", "WAIT_BUYER_PAY")
    assert qr_url == f"/pay/alipay/qr/{trade.prepay_id}?redirect=%2Fwechat%2Fsbjf%3Forder_no%3D{order_no}"
    with shop.http() as http:
        page = http.get(qr_url)
        png = http.get(f"/pay/alipay/qr/{trade.prepay_id}.png")
    for shown in (
        'aria-label="支付宝扫码支付"',
        'alt="支付宝付款码"',
        f'src="/pay/alipay/qr/{trade.prepay_id}.png"',
        ">保存图片</a>",
        "请截屏或保存二维码后,打开支付宝【扫一扫】付款",
        ">我已完成支付</button>",
        "¥300.00",
    ):
        assert shown in page.text
    assert png.headers["content-type"] == "image/png"
    [payload] = qr_payloads(png.content)
    assert payload.startswith("https://qr.alipay.com/bax") and payload == alipay.qr_code(trade)

    scanned = _scan(shop, png.content)
    assert scanned.status_code == 200, scanned.text
    assert scanned.json() == {"cashier_url": f"/pay/alipay/cashier/{trade.prepay_id}"}
    assert shop.confirm(scanned.json()["cashier_url"]).json()["trade_status"] == "TRADE_SUCCESS"
    notes = shop.notes_when(lambda got: [n.status for n in got] == ["delivered"])
    assert [(n.gateway, n.url.rsplit("/", 1)[-1], n.last_result) for n in notes] == [
        ("alipay_qr", "alipay_qr", "HTTP 200 success")
    ]
    assert shop.status(order_no)[0] == "PAID"
    assert [(c["gateway"], c["paid"]) for c in sim_control.ledger(tenant)["charges"]] == [("alipay_qr", True)]
    assert shop.wechat.rows()["payment_record"] == 1


def test_a_jpeg_photo_of_the_code_scans_too(shop: Merchant, enrol: Callable[..., Payer]) -> None:
    order_no, _ = shop.paying(enrol(), "alipay_qr")
    trade = shop.trade(order_no)
    with Image.open(io.BytesIO(_png(alipay.qr_code(trade)))) as image:
        photo = io.BytesIO()
        image.convert("RGB").resize((500, 500)).save(photo, format="JPEG", quality=70)
    scanned = _scan(shop, photo.getvalue(), "image/jpeg")
    assert scanned.json() == {"cashier_url": f"/pay/alipay/cashier/{trade.prepay_id}"}


def test_pictures_that_are_not_an_open_alipay_code_are_refused_and_nothing_is_written(
    shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    open_no, _ = shop.paying(enrol(), "alipay_qr")
    closed_no, _ = shop.paying(enrol(), "alipay_qr")
    assert shop.settle(closed_no, close_if_pending=True) == "CLOSED"
    paid_no, _ = shop.paying(enrol(), "alipay_qr")
    paid = shop.trade(paid_no)
    shop.confirm(f"/pay/alipay/cashier/{paid.prepay_id}")
    wap_no, _ = shop.paying(enrol(), "alipay")
    shop.notes_when(lambda got: [n.status for n in got] == ["delivered"])
    blank = io.BytesIO()
    Image.new("RGB", (300, 300), "white").save(blank, format="PNG")
    before = (shop.wechat.rows(), [shop.trade(no).state for no in (open_no, closed_no, paid_no, wap_no)])

    cases = [
        (blank.getvalue(), "image/png", "未识别到支付宝付款码"),
        (_png("https://example.com/pay?id=1"), "image/png", "该二维码不是支付宝付款码"),
        (_png(alipay.QR_PREFIX + "zzzzzzzzzz"), "image/png", "付款码无效"),
        (_png(alipay.qr_code(shop.trade(closed_no))), "image/png", "该笔交易已关闭"),
        (_png(alipay.qr_code(paid)), "image/png", "该笔交易已付款"),
        (
            _png(alipay.QR_PREFIX + alipay.qr_code(shop.trade(wap_no))[len(alipay.QR_PREFIX) :]),
            "image/png",
            "付款码无效",
        ),  # a wap-pay trade has no QR code to scan
        (b"not a picture at all", "image/png", "无法读取这张图片"),
        (_png(alipay.qr_code(shop.trade(open_no))), "text/plain", "PNG或JPEG"),
        (b"", "image/png", "图片为空"),
    ]
    for picture, kind, message in cases:
        refused = _scan(shop, picture, kind)
        assert refused.status_code == 422, (message, refused.text)
        error = refused.json()["error"]
        assert message in error["message"] and error["field"] == "付款码图片", (message, error)
    assert (shop.wechat.rows(), [shop.trade(no).state for no in (open_no, closed_no, paid_no, wap_no)]) == before


def test_a_screenshot_of_the_qr_page_scans_in_the_alipay_app_and_pays(
    page: Page, sim: EmbeddedSimulator, shop: Merchant, enrol: Callable[..., Payer], tmp_path: Path
) -> None:
    order_no, qr_url = shop.paying(enrol(), "alipay_qr")
    page.set_viewport_size(PHONE)
    page.goto(sim.url + qr_url)
    screen = page.get_by_role("main", name="支付宝扫码支付")
    expect(screen.get_by_role("img", name="支付宝付款码")).to_be_visible()
    expect(screen).to_contain_text("请截屏或保存二维码后,打开支付宝【扫一扫】付款")
    shot = tmp_path / "screen.png"
    page.screenshot(path=shot)  # what a payer's screenshot holds: the whole phone screen
    with page.expect_download() as saved:
        screen.get_by_role("link", name="保存图片").click()
    kept = tmp_path / "saved.png"
    saved.value.save_as(kept)
    trade = shop.trade(order_no)
    assert qr_payloads(kept.read_bytes()) == [alipay.qr_code(trade)]
    region = tmp_path / "region.png"
    screen.locator("figure").screenshot(path=region)
    assert qr_payloads(region.read_bytes()) == [alipay.qr_code(trade)]

    page.goto(sim.url + "/pay/alipay/scan")
    expect(page.get_by_role("heading", name="扫一扫")).to_be_visible()
    page.get_by_label("从相册选择").set_input_files(shot)
    page.wait_for_url(f"**/pay/alipay/cashier/{trade.prepay_id}")
    cashier = page.get_by_role("main", name="支付宝")
    expect(cashier).to_contain_text("¥300.00")
    cashier.get_by_role("button", name="确认付款").click()
    expect(cashier.get_by_text("支付成功")).to_be_visible()
    shop.notes_when(lambda got: [n.status for n in got] == ["delivered"])
    assert shop.status(order_no)[0] == "PAID"

    page.goto(sim.url + qr_url)
    page.get_by_role("button", name="我已完成支付").click()
    page.wait_for_url(f"**/wechat/sbjf?order_no={order_no}")


def test_the_scanner_says_why_it_cannot_read_a_picture(page: Page, sim: EmbeddedSimulator, tmp_path: Path) -> None:
    page.set_viewport_size(PHONE)
    page.goto(sim.url + "/pay/alipay/scan")
    blank = tmp_path / "blank.png"
    Image.new("RGB", (200, 200), "white").save(blank)
    page.get_by_label("从相册选择").set_input_files(blank)
    expect(page.get_by_role("alert")).to_have_text("未识别到支付宝付款码,请选择包含支付宝付款码的图片")
    assert page.url.endswith("/pay/alipay/scan")

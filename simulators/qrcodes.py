"""QR codes: the pictures simulated pages show (segno), and what a simulated phone app reads off a picture of
one (zxing-cpp), e.g. Alipay's 扫一扫 or the tax apps' 扫码登录."""

from __future__ import annotations

import io

import segno
import zxingcpp
from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from PIL import Image

from simulators.core.errors import InvalidInput

IMAGE_TYPES = ("image/png", "image/jpeg")
MAX_IMAGE = 10 * 1024 * 1024
QR_CODES = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)  # what the phone apps read: QR codes only


def png(payload: str, *, scale: int = 8) -> bytes:
    """The QR code of ``payload`` as a PNG, with a quiet zone a camera needs."""
    image = io.BytesIO()
    segno.make(payload, error="m").save(image, kind="png", scale=scale, border=4)
    return image.getvalue()


async def read_upload(request: Request, field: str) -> list[str]:
    """The payloads of the QR codes in the picture a request carries as its raw body (PNG or JPEG)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in IMAGE_TYPES:
        raise InvalidInput("请从相册选择PNG或JPEG格式的图片", field=field)
    raw = await request.body()
    if not raw or len(raw) > MAX_IMAGE:
        raise InvalidInput("图片为空或超过10MB,请重新选择", field=field)
    return await run_in_threadpool(decode, raw, field)


def decode(raw: bytes, field: str) -> list[str]:
    try:
        with Image.open(io.BytesIO(raw)) as picture:
            image = picture.convert("L")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise InvalidInput("无法读取这张图片,请重新选择", field=field) from error
    return [found.text for found in zxingcpp.read_barcodes(image, formats=QR_CODES)]

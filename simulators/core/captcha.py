"""随机验证码: a random 4-character code drawn as a noisy picture, good for one check and for a few minutes.

A check spends the picture whatever its outcome: a wrong code, and equally the right code when the rest of what it
guards fails (``guarding``), so a picture can never be tried twice.

Only the picture leaves the simulator through a channel; a test learns what it shows from the control API.
"""

from __future__ import annotations

import io
import random
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from PIL import Image, ImageDraw, ImageFilter, ImageFont
from sqlalchemy.orm import Session

from simulators.core import clock, defects
from simulators.core.errors import InvalidInput, NotFound, SimError
from simulators.core.models import Captcha, Tenant

TTL = timedelta(minutes=5)
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: a person can read every one
LENGTH = 4
SIZE = (120, 44)


def issue(session: Session, tenant: Tenant) -> Captcha:
    now = clock.now(tenant)
    captcha = Captcha(
        id=secrets.token_hex(12),
        tenant_id=tenant.id,
        text="".join(secrets.choice(ALPHABET) for _ in range(LENGTH)),
        created_at=now,
        expires_at=now + TTL,
    )
    session.add(captcha)
    session.flush()
    return captcha


def find(session: Session, tenant: Tenant, captcha_id: str) -> Captcha:
    captcha = session.get(Captcha, captcha_id)
    if captcha is None or captcha.tenant_id != tenant.id:
        raise NotFound("随机验证码不存在或已失效,请点击图片换一张", field="captcha")
    return captcha


class Spent(InvalidInput):
    """A wrong code: refused, and the picture is spent by the try, so the spending is kept."""

    kept = True


def use(session: Session, tenant: Tenant, captcha_id: str, typed: str) -> Captcha:
    """Check what the person typed against the picture and spend it, right or wrong."""
    if not captcha_id.strip():
        raise InvalidInput("请先获取随机验证码", field="captcha")
    captcha = session.get(Captcha, captcha_id)
    if captcha is None or captcha.tenant_id != tenant.id:
        raise InvalidInput("随机验证码已失效,请点击图片换一张", field="captcha")
    if defects.at(tenant, "captcha.used", captcha.used_at is not None):
        raise InvalidInput("随机验证码已使用过,请点击图片换一张", field="captcha")
    now = clock.now(tenant)
    clock.unexpired(now, captcha.expires_at, TTL, "随机验证码", "请点击图片换一张", field="captcha")
    captcha.used_at = now
    typed = typed.strip().upper()
    if len(typed) != LENGTH:
        raise Spent(f"随机验证码应为{LENGTH}位字母或数字,请输入新图片上的随机验证码", field="captcha")
    if not defects.at(tenant, "captcha.matches", typed == captcha.text):
        raise Spent("随机验证码错误,请输入新图片上的随机验证码", field="captcha")
    return captcha


@contextmanager
def guarding(session: Session, tenant: Tenant, captcha_id: str, typed: str) -> Iterator[Captcha]:
    """The picture checked and spent, then the check it guards (the ``with`` block): when that is refused, its
    writes are undone but the picture stays spent (the refusal is ``kept``)."""
    captcha = use(session, tenant, captcha_id, typed)
    try:
        with session.begin_nested():
            yield captcha
    except SimError as error:
        error.kept = True
        raise


def picture(captcha: Captcha) -> bytes:
    """The code as a PNG: tilted letters, lines and dots, as such pictures are."""
    rng = random.Random(captcha.id)  # the same id always draws the same picture
    image = Image.new("RGB", SIZE, (236, 242, 250))
    draw = ImageDraw.Draw(image)
    for _ in range(5):
        draw.line(
            [(rng.randrange(SIZE[0]), rng.randrange(SIZE[1])) for _ in range(2)],
            fill=(rng.randrange(120, 200), rng.randrange(120, 200), rng.randrange(120, 200)),
            width=1,
        )
    font = ImageFont.load_default(size=26)
    for i, char in enumerate(captcha.text):
        glyph = Image.new("RGBA", (30, 40), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text(
            (4, 2), char, font=font, fill=(rng.randrange(10, 90), rng.randrange(30, 110), rng.randrange(90, 170))
        )
        glyph = glyph.rotate(rng.uniform(-25, 25), resample=Image.Resampling.BICUBIC, expand=False)
        image.paste(glyph, (6 + i * 26 + rng.randrange(-2, 3), rng.randrange(0, 6)), glyph)
    for _ in range(60):
        draw.point(
            (rng.randrange(SIZE[0]), rng.randrange(SIZE[1])),
            fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)),
        )
    buffer = io.BytesIO()
    image.filter(ImageFilter.SMOOTH).save(buffer, format="PNG")
    return buffer.getvalue()

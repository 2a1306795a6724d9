"""扫码登录: a QR code on a login page that a mobile app (税务APP, 个人所得税APP) scans and confirms, as the
second factor of a login. A ticket belongs to one half-done login, is good for a short while, is confirmed
once, and finishes that login once.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from sqlalchemy.orm import Session

from simulators.core import accounts, clock
from simulators.core.errors import InvalidInput, NotFound, RuleRefused
from simulators.core.models import AppAccount, ChannelSession, LoginTicket, Person, Tenant

TTL = timedelta(minutes=2)
APPS = {"taxapp": "税务APP", "iit": "个人所得税APP"}
PAYLOAD = "https://etax.ningbo.chinatax.gov.cn/sso/qrlogin?ticket={id}&app={app}"
_PAYLOAD = re.compile(r"^https://etax\.ningbo\.chinatax\.gov\.cn/sso/qrlogin\?ticket=([0-9a-f]{24})&app=(\w+)$")
WAITING, CONFIRMED, EXPIRED, USED = "待扫码", "已扫码确认", "已过期", "已登录"


def app_name(app: str) -> str:
    if app not in APPS:
        raise InvalidInput(f"扫码APP应为{'、'.join(APPS.values())}之一", field="scan_app")
    return APPS[app]


def issue(session: Session, tenant: Tenant, login: accounts.Login, app: str) -> LoginTicket:
    """A fresh QR code for this half-done login, to be scanned with ``app``."""
    app_name(app)
    now = clock.now(tenant)
    ticket = LoginTicket(
        id=secrets.token_hex(12),
        tenant_id=tenant.id,
        token=login.record.token,
        app=app,
        created_at=now,
        expires_at=now + TTL,
    )
    session.add(ticket)
    session.flush()
    return ticket


def payload(ticket: LoginTicket) -> str:
    """What the QR code says."""
    return PAYLOAD.format(id=ticket.id, app=ticket.app)


def state(tenant: Tenant, ticket: LoginTicket) -> str:
    if ticket.used_at is not None:
        return USED
    if ticket.confirmed_at is not None:
        return CONFIRMED
    return EXPIRED if clock.now(tenant) > ticket.expires_at else WAITING


def of_login(session: Session, tenant: Tenant, login: accounts.Login, ticket_id: str) -> LoginTicket:
    """A ticket of this login (the page that shows it asks after it)."""
    ticket = session.get(LoginTicket, ticket_id)
    if ticket is None or ticket.tenant_id != tenant.id or ticket.token != login.record.token:
        raise NotFound("二维码不存在或已失效,请刷新二维码", field="ticket")
    return ticket


def scanned(
    session: Session, tenant: Tenant, payloads: list[str], app: str, id_number: str | None = None
) -> LoginTicket:
    """The app has scanned a picture (its decoded payloads) and the person confirms the login on the phone.
    The app must be the one the code is for and, when given, its user (``id_number``) the account's person."""
    name = app_name(app)
    found = [m for m in (_PAYLOAD.match(p.strip()) for p in payloads) if m]
    if not found:
        raise InvalidInput(
            "未识别到二维码,请扫描电子税务局登录页面上的二维码"
            if not payloads
            else "该二维码不是电子税务局的登录二维码",
            field="ticket",
        )
    ticket = session.get(LoginTicket, found[0].group(1))
    if ticket is None or ticket.tenant_id != tenant.id:
        raise InvalidInput("二维码无效:找不到对应的登录,请刷新二维码后重新扫码", field="ticket")
    if ticket.app != app:
        raise InvalidInput(f"该二维码须使用{APPS.get(ticket.app, ticket.app)}扫描,不能使用{name}", field="scan_app")
    if ticket.confirmed_at is not None:
        raise RuleRefused("该二维码已扫码确认,请勿重复扫码;如需重新登录,请在电脑上刷新二维码", field="ticket")
    now = clock.now(tenant)
    clock.unexpired(now, ticket.expires_at, TTL, "二维码", "请在电脑上刷新二维码后重新扫码", field="ticket")
    if id_number is not None and id_number.strip().upper() != _person_of(session, ticket).id_number:
        raise RuleRefused(f"{name}登录的账号与电子税务局登录的账号不是同一人,不能确认登录", field="ticket")
    ticket.confirmed_at = now
    return ticket


def _person_of(session: Session, ticket: LoginTicket) -> Person:
    record = session.get(ChannelSession, ticket.token)
    account = session.get(AppAccount, int(record.subject)) if record else None
    person = session.get(Person, account.person_id) if account else None
    if person is None:
        raise InvalidInput("二维码无效:对应的登录已结束,请重新登录", field="ticket")
    return person


def finish(session: Session, tenant: Tenant, login: accounts.Login, ticket_id: str) -> None:
    """【登录】 after the phone confirmed: the login is complete, and the ticket spent."""
    ticket = of_login(session, tenant, login, ticket_id)
    shown = state(tenant, ticket)
    if shown == EXPIRED:
        raise InvalidInput("二维码已过期,请刷新二维码后重新扫码", field="ticket")
    if shown != CONFIRMED:
        raise RuleRefused(f"请先使用{APPS[ticket.app]}扫描二维码,并在手机上确认登录", field="ticket")
    ticket.used_at = clock.now(tenant)
    accounts.pass_factor(tenant, login, f"scan:{ticket.app}")

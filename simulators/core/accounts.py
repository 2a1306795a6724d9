"""Accounts of the channels' own apps (宁波税务APP, 电子税务局, 浙里办): registration with an SMS code and a
real-name check against the payer registry, password login (by phone, ID number or user name, as the channel
allows) with a lock after too many wrong passwords, an optional second factor before a login counts, login
sessions that expire when idle, and the verified others (他人) a login may pay for.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from simulators.core import billing, captcha, clock, defects, idnumber, sms
from simulators.core.errors import InvalidInput, NotAuthorized, NotFound, RuleRefused
from simulators.core.models import AppAccount, ChannelSession, Person, SmsMessage, Tenant

IDLE = timedelta(minutes=30)  # a login ends after this long without use, on the tenant's clock
VERIFY_WITHIN = timedelta(minutes=10)  # a login waiting for its second factor ends after this long
LOCK_AFTER = 5  # wrong passwords in a row that lock the account …
LOCK_FOR = timedelta(minutes=30)  # … for this long, on the tenant's clock
PASSWORD = re.compile(r"^(?=.*[A-Za-z])(?=.*\d)[\x21-\x7e]{8,20}$")
USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,19}$")  # never mistaken for a phone or an ID number
ID_LIKE = re.compile(r"^(\d{15}|\d{17}[\dXx])$")
OTHERS = "others"  # session data: ids of the persons verified as 他人 in this login
BUSINESS = "business"  # session data: 个人业务 or 企业业务
FACTOR = "factor"  # session data: the second factor passed (sms, scan:<app>), or PENDING
PENDING = "pending"
IDENTIFIERS = {"phone": "手机号码", "id_number": "居民身份证号码", "username": "用户名"}


@dataclass(frozen=True)
class Registration:
    phone: str
    sms_code: str
    password: str
    password_confirm: str
    name: str
    id_type: str
    id_number: str
    username: str | None = None


@dataclass(frozen=True)
class Other:
    """The 他人 a person at the screen names: all five must match the registry (and the picture)."""

    id_type: str
    name: str
    id_number: str
    phone: str
    captcha_id: str
    captcha: str


@dataclass(frozen=True)
class Login:
    record: ChannelSession
    account: AppAccount
    person: Person

    @property
    def business(self) -> str | None:
        return self.record.data.get(BUSINESS)

    @property
    def others(self) -> list[int]:
        return list(self.record.data.get(OTHERS, []))

    @property
    def verified(self) -> bool:
        """Its second factor, if the channel asks for one, is done."""
        return self.record.data.get(FACTOR) != PENDING


class WrongPassword(NotAuthorized):
    """A wrong password: refused, and counted towards the lock, so the count is kept."""

    kept = True


def hash_password(password: str, salt: str) -> str:
    return hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=2**12, r=8, p=1, dklen=32).hex()


def _check_password(password: str, confirm: str | None = None) -> None:
    if not PASSWORD.match(password):
        raise InvalidInput("密码应为8至20位,须同时包含字母和数字,不能含空格或中文", field="password")
    if confirm is not None and confirm != password:
        raise InvalidInput("两次输入的密码不一致,请重新输入确认密码", field="password_confirm")


def register(session: Session, tenant: Tenant, channel: str, app: str, form: Registration) -> AppAccount:
    """注册: formats, then the SMS code, then the real-name check; one account per phone and per person."""
    phone = sms.check_phone(form.phone)
    _check_password(form.password, form.password_confirm)
    username = (form.username or "").strip() or None
    if username is not None and not USERNAME.match(username):
        raise InvalidInput("用户名应为4至20位,以字母开头,只能包含字母、数字和下划线", field="username")
    sms.use_code(session, tenant, phone, "register", form.sms_code, app)
    person = billing.find_payer(
        session, tenant, name=form.name, id_type=form.id_type, id_number=form.id_number, today=clock.now(tenant).date()
    )
    taken = session.scalars(
        select(AppAccount).where(
            AppAccount.tenant_id == tenant.id,
            AppAccount.channel == channel,
            AppAccount.person_id == person.id,
        )
    ).one_or_none()
    if taken is not None:
        raise RuleRefused(
            f"证件号码{idnumber.mask(person.id_number)}已注册{app}账号(手机号码"
            f"{idnumber.mask_phone(taken.phone)}),请直接登录",
            field="id_number",
        )
    if _by_phone(session, tenant, channel, phone) is not None:
        raise RuleRefused(f"手机号码{idnumber.mask_phone(phone)}已注册,请直接登录", field="phone")
    if username is not None and _find(session, tenant, channel, "username", username) is not None:
        raise RuleRefused(f"用户名{username}已被使用,请换一个用户名", field="username")
    salt = secrets.token_hex(16)
    account = AppAccount(
        tenant_id=tenant.id,
        channel=channel,
        phone=phone,
        username=username,
        salt=salt,
        password_hash=hash_password(form.password, salt),
        person_id=person.id,
        created_at=clock.now(tenant),
    )
    session.add(account)
    session.flush()
    return account


def _by_phone(session: Session, tenant: Tenant, channel: str, phone: str) -> AppAccount | None:
    return _find(session, tenant, channel, "phone", phone)


def _find(session: Session, tenant: Tenant, channel: str, kind: str, value: str) -> AppAccount | None:
    query = select(AppAccount).where(AppAccount.tenant_id == tenant.id, AppAccount.channel == channel)
    if kind == "phone":
        query = query.where(AppAccount.phone == value)
    elif kind == "username":
        query = query.where(AppAccount.username == value)
    else:  # a legacy 15-digit number names the same person as its 18-digit form
        number = idnumber.upgrade15(value) if len(value) == 15 else value.upper()
        query = query.join(Person, Person.id == AppAccount.person_id).where(Person.id_number == number)
    return session.scalars(query).one_or_none()


@dataclass(frozen=True)
class Way:
    """How a channel's login goes: what the account field takes (phone, id_number, username), what registering
    is called there, and whether a second factor must follow the password."""

    identifiers: tuple[str, ...] = ("phone",)
    register: str = "注册"
    second_factor: bool = False

    @property
    def field(self) -> str:
        return "phone" if self.identifiers == ("phone",) else "login_name"


def _account(session: Session, tenant: Tenant, channel: str, way: Way, login_name: str) -> AppAccount:
    """The account the typed 账号 names, in the forms the channel accepts."""
    name = login_name.strip()
    if way.field == "phone":
        name = sms.check_phone(name)
    if not name:
        raise InvalidInput(f"请输入{'/'.join(IDENTIFIERS[k] for k in way.identifiers)}", field=way.field)
    kind = "phone" if sms.PHONE.match(name) else "id_number" if ID_LIKE.match(name) else "username"
    account = _find(session, tenant, channel, kind, name) if kind in way.identifiers else None
    if account is None:
        shown = idnumber.mask_phone(name) if kind == "phone" else idnumber.mask(name) if kind == "id_number" else name
        raise NotAuthorized(f"{IDENTIFIERS[kind]}{shown}尚未注册,请先【{way.register}】", field=way.field)
    return account


def log_in(
    session: Session,
    tenant: Tenant,
    channel: str,
    login_name: str,
    password: str,
    *,
    way: Way = Way(),
    data: dict[str, object] | None = None,
) -> str:
    """登录 with the account (phone, ID number or user name, as ``way`` allows) and password; returns the new
    session's token. A locked account is refused whatever the password; ``LOCK_AFTER`` wrong passwords in a
    row lock it for ``LOCK_FOR``; a right one resets the count. With a second factor the session is only
    half a login until ``pass_factor``."""
    if not password:
        raise InvalidInput("密码不能为空", field="password")
    account = _account(session, tenant, channel, way, login_name)
    now = clock.now(tenant)
    if defects.at(tenant, "password.locked", account.locked_until is not None and now < account.locked_until):
        raise RuleRefused(
            f"密码已连续输错{LOCK_AFTER}次,账号已锁定{clock.minutes(LOCK_FOR)}分钟,"
            f"请于{account.locked_until:%Y-%m-%d %H:%M:%S}后再登录",
            field="password",
        )
    if not hmac.compare_digest(hash_password(password, account.salt), account.password_hash):
        account.failed_logins += 1
        if account.failed_logins >= defects.at(tenant, "password.lock_after", LOCK_AFTER):
            account.failed_logins, account.locked_until = 0, now + defects.at(tenant, "password.lock_for", LOCK_FOR)
            raise WrongPassword(
                f"密码错误。密码已连续输错{LOCK_AFTER}次,账号已锁定{clock.minutes(LOCK_FOR)}分钟,"
                f"请于{account.locked_until:%Y-%m-%d %H:%M:%S}后再登录",
                field="password",
            )
        left = LOCK_AFTER - account.failed_logins
        raise WrongPassword(
            f"密码错误,请重新输入(再输错{left}次,账号将被锁定{clock.minutes(LOCK_FOR)}分钟)", field="password"
        )
    account.failed_logins, account.locked_until = 0, None
    return open_session(session, tenant, account, {**(data or {}), **({FACTOR: PENDING} if way.second_factor else {})})


def open_session(session: Session, tenant: Tenant, account: AppAccount, data: dict[str, object] | None = None) -> str:
    token = secrets.token_urlsafe(24)
    now = clock.now(tenant)
    session.add(
        ChannelSession(
            token=token,
            tenant_id=tenant.id,
            channel=account.channel,
            subject=str(account.id),
            created_at=now,
            seen_at=now,
            data=dict(data or {}),
        )
    )
    return token


def session_of(session: Session, tenant: Tenant, channel: str, token: str | None, app: str) -> Login:
    """The session this token names, a whole login or half of one."""
    record = session.get(ChannelSession, token) if token else None
    if record is None or record.tenant_id != tenant.id or record.channel != channel:
        raise NotAuthorized(f"请先登录{app}", field="login")
    account = session.get(AppAccount, int(record.subject))
    person = session.get(Person, account.person_id) if account else None
    if account is None or person is None:
        raise NotAuthorized(f"账号已不存在,请重新注册{app}", field="login")
    return Login(record, account, person)


def current(session: Session, tenant: Tenant, channel: str, token: str | None, app: str) -> Login:
    """The login this token proves, kept alive by use; idle too long, it has ended. Half a login (its second
    factor not done) is no login."""
    login = session_of(session, tenant, channel, token, app)
    record, now = login.record, clock.now(tenant)
    if not login.verified:
        raise NotAuthorized("请先完成登录验证(短信验证或扫码)后再办理业务", field="login")
    if now > (record.seen_at or record.created_at) + IDLE:
        raise NotAuthorized(f"登录已超时({clock.minutes(IDLE)}分钟未操作),请重新登录", field="login")
    record.seen_at = now
    return login


def half_done(session: Session, tenant: Tenant, channel: str, token: str | None, app: str) -> Login:
    """The login waiting for its second factor (登录验证), while it may still be finished."""
    login = session_of(session, tenant, channel, token, app)
    if login.verified:
        raise RuleRefused("已完成登录验证,无需重复验证", field="factor")
    if clock.now(tenant) > login.record.created_at + VERIFY_WITHIN:
        raise NotAuthorized(
            f"登录验证已超时({clock.minutes(VERIFY_WITHIN)}分钟内有效),请重新输入账号和密码登录", field="login"
        )
    return login


def send_login_code(session: Session, tenant: Tenant, login: Login, app: str) -> SmsMessage:
    """短信验证 → 获取验证码: a login code to the account's own phone."""
    return sms.issue_code(session, tenant, login.account.phone, "login", app)


def pass_sms(session: Session, tenant: Tenant, login: Login, code: str, app: str) -> None:
    """短信验证 → the code ``app`` sent to the account's phone, once: the login is complete."""
    sms.use_code(session, tenant, login.account.phone, "login", code, app)
    pass_factor(tenant, login, "sms")


def pass_factor(tenant: Tenant, login: Login, factor: str) -> None:
    """The second factor is done: from now on the session is a login, idle from now."""
    login.record.data = {**login.record.data, FACTOR: factor}
    login.record.seen_at = clock.now(tenant)


def log_out(session: Session, login: Login) -> None:
    session.delete(login.record)


def choose_business(login: Login, business: str, offered: str = "个人业务") -> None:
    if business != offered:
        raise RuleRefused(f"本模拟只提供【{offered}】,企业业务不在模拟范围内", field="business")
    login.record.data = {**login.record.data, BUSINESS: business}


def verify_other(session: Session, tenant: Tenant, login: Login, other: Other) -> Person:
    """办理对象 他人: the random code first, then 证件类型, 姓名, 证件号码 and 手机号码 against the registry; the
    picture is spent whichever of them fails."""
    other = defects.at(tenant, "others.form", other, session=session)
    with captcha.guarding(session, tenant, other.captcha_id, other.captcha):
        person = billing.find_payer(
            session,
            tenant,
            name=other.name,
            id_type=other.id_type,
            id_number=other.id_number,
            today=clock.now(tenant).date(),
        )
        if other.phone.strip() != person.phone:
            sms.check_phone(other.phone)
            raise InvalidInput("手机号码与缴费人登记的手机号码不一致,请核对后重新输入", field="phone")
    if person.id != login.person.id and person.id not in login.others:
        login.record.data = {**login.record.data, OTHERS: [*login.others, person.id]}
    return person


def admit(session: Session, tenant: Tenant, login: Login, *, name: str, id_type: str, id_number: str) -> Person:
    """The payer named, when this login may pay for them: the account's own person (本人), or a person verified
    as 他人 in this login. Typing someone else's identity is not enough."""
    try:
        person = billing.find_payer(
            session, tenant, name=name, id_type=id_type, id_number=id_number, today=clock.now(tenant).date()
        )
    except NotFound:
        person = None
    if person is not None and (person.id == login.person.id or person.id in login.others):
        return person
    raise RuleRefused(
        "为他人缴费,请在【办理对象】中选择他人,并输入证件类型、姓名、证件号码、手机号码和随机验证码完成核验",
        field="id_number",
    )


def registered(session: Session, tenant: Tenant, channel: str) -> list[AppAccount]:
    return list(
        session.scalars(
            select(AppAccount)
            .where(AppAccount.tenant_id == tenant.id, AppAccount.channel == channel)
            .order_by(AppAccount.id)
        )
    )

"""What stands between a client and the routes: the same-origin rule for requests a cross-site page could send,
bodies that cannot be read, and every error answered in Chinese in the simulator's own shape.

``RequestGuard`` (ASGI middleware), for POST, PUT, PATCH and DELETE:
  - same origin: a request without a JSON body (none at all, a form, text, a picture) needs an ``Origin`` or
    ``Referer`` of this site (scheme, host and port of the request), else 403 and nothing runs. Exempt: the
    control API (its own token) and the providers' signed server-to-server APIs and notify endpoints.
  - a readable body: JSON and form bodies are UTF-8, JSON is nested at most ``MAX_DEPTH`` deep, and no body is
    larger than ``MAX_BODY`` (400 or 413).

The handlers answer ``{"error": {"code", "field", "message"}}``: FastAPI's own refusals (a body that could not be
parsed, 405, 413), the shape of a body, and last, anything unexpected (500, the traceback logged).
"""

from __future__ import annotations

import email.message
import logging
import re
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from simulators import web
from simulators.core.errors import BadBody, CrossSite, SimError, TooLarge

log = logging.getLogger(__name__)

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# Reached by servers, not pages: the control API has its token; provider APIs and notifications are signed.
EXEMPT = re.compile(
    r"^/(?:__sim/|pay/wechatpay/v3/|pay/alipay/gateway\.do$|pay/ccb/CCBIS/"
    r"|pay/bank/agreement-pay(?:/|$)|(?:wechat|alipay|taxapp|etax|zheliban)/api/notify/)"
)
MAX_DEPTH = 64
MAX_BODY = 8 * 1024 * 1024
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
DEFAULT_PORTS = {"http": 80, "https": 443}
STATUS_TEXT = {
    400: "请求不符合规则",
    401: "未授权",
    403: "拒绝访问",
    404: "没有这个地址",
    406: "不接受的响应格式",
    409: "业务规则不允许",
    413: "请求内容过大",
    415: "不支持的请求内容类型",
    422: "输入不符合规则",
    429: "请求过于频繁,请稍后再试",
}


# the middleware -------------------------------------------------------------------------------------------------
class RequestGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            body = await _read(receive)
            _check_origin(request, body)
            _check_body(request, body)
        except SimError as refusal:
            await JSONResponse(refusal.body(), status_code=refusal.status)(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)


async def _read(receive: Receive) -> bytes:
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return bytes(body)
        body.extend(message.get("body", b""))
        if len(body) > MAX_BODY:
            raise TooLarge(f"请求内容不能超过{MAX_BODY // 1024 // 1024}MB")
        if not message.get("more_body", False):
            return bytes(body)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body read once, handed on as if it had just arrived; then whatever the client sends next."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed


def _content_type(request: Request) -> tuple[str, str] | None:
    """(main type, subtype) of the body, or None when it declares none."""
    given = request.headers.get("content-type")
    if not given:
        return None
    parsed = email.message.Message()
    parsed["content-type"] = given
    return parsed.get_content_maintype(), parsed.get_content_subtype()


def _is_json(kind: tuple[str, str] | None) -> bool:
    return kind is not None and kind[0] == "application" and (kind[1] == "json" or kind[1].endswith("+json"))


# same origin ----------------------------------------------------------------------------------------------------
Origin = tuple[str, str, int]


def origin_of(url: str) -> Origin | None:
    """(scheme, host, port) of a URL or an Origin header; None for ``null`` or what is no URL."""
    try:
        split = urlsplit(url.strip())
        port = split.port
    except ValueError:
        return None
    scheme = split.scheme.lower()
    if scheme not in DEFAULT_PORTS or not split.hostname:
        return None
    return scheme, split.hostname.lower(), port or DEFAULT_PORTS[scheme]


def own_origins(request: Request) -> list[Origin]:
    """This site as the request reached it (its Host header), and as a reverse proxy says it was reached."""
    host = request.headers.get("host") or "{}:{}".format(*(request.scope.get("server") or ("", 0)))
    found = [origin_of(f"{request.url.scheme}://{host}")]
    forwarded = request.headers.get("x-forwarded-host")
    if forwarded:
        proto = request.headers.get("x-forwarded-proto", request.url.scheme).split(",")[0].strip()
        found.append(origin_of(f"{proto}://{forwarded.split(',')[0].strip()}"))
    return [o for o in found if o is not None]


def _shown(origin: Origin) -> str:
    scheme, host, port = origin
    return f"{scheme}://{host}" + ("" if DEFAULT_PORTS[scheme] == port else f":{port}")


def _check_origin(request: Request, body: bytes) -> None:
    """A request a cross-site page could send (no JSON body) comes from this site's own pages, or is refused."""
    if EXEMPT.match(request.url.path) or (body and _is_json(_content_type(request))):
        return
    own = own_origins(request)
    site = _shown(own[0]) if own else "本站地址"
    rule = f"不带JSON请求内容的{request.method}请求只接受本站({site})页面发出的请求"
    for header in ("Origin", "Referer"):
        given = request.headers.get(header)
        if given is not None:
            if origin_of(given) in own:
                return
            raise CrossSite(f"请求头{header}“{given[:100]}”不是本站地址:{rule},跨站请求已拒绝", field=header)
    raise CrossSite(f"缺少请求头Origin或Referer:{rule},须带有值为{site}的Origin(或本站页面的Referer)", field="Origin")


# readable bodies ------------------------------------------------------------------------------------------------
def _check_body(request: Request, body: bytes) -> None:
    """A body declared JSON or a form is UTF-8, and JSON is not nested too deep. (A body of another type or of
    none declared is the route's to read: what it cannot decode, ``undecodable_handler`` answers.)"""
    kind = _content_type(request)
    if not body or not (_is_json(kind) or kind == ("application", "x-www-form-urlencoded")):
        return
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadBody(f"请求内容不是有效的UTF-8编码(第{error.start + 1}个字节起无法解码):请以UTF-8编码发送") from None
    if _is_json(kind) and too_deep(body, MAX_DEPTH):
        raise BadBody(f"请求内容的JSON嵌套层数不能超过{MAX_DEPTH}层")


def too_deep(body: bytes, limit: int) -> bool:
    """Whether JSON text nests arrays and objects more than ``limit`` deep (brackets inside strings do not count)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for bracket in _BRACKET.finditer(_STRING.sub(b"", body)):
        depth += 1 if bracket.group() in (b"[", b"{") else -1
        if depth > limit:
            return True
    return False


# handlers -------------------------------------------------------------------------------------------------------
def _error(
    status: int, code: str, message: str, field: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "field": field, "message": message}}, status_code=status, headers=headers
    )


def _unparsed(cause: BaseException | None) -> str:
    """Why FastAPI could not parse a body, in words."""
    if isinstance(cause, UnicodeDecodeError):
        return "请求内容不是有效的UTF-8编码:请以UTF-8编码发送"
    if isinstance(cause, RecursionError):
        return f"请求内容的JSON嵌套层数不能超过{MAX_DEPTH}层"
    if isinstance(cause, ValueError) and "digits" in str(cause):
        return "请求内容中的数字位数过多:整数不能超过4300位"
    return "请求内容无法解析:应为UTF-8编码的JSON对象"


def _allowed(request: Request) -> str:
    """Every method the request's path answers: Starlette's 405 names only those of the first route of the path
    (GET of ``/__sim/tenants/{tenant_id}/clock``, not its POST)."""
    return ", ".join(
        method
        for method in METHODS
        if any(route.matches({**request.scope, "method": method})[0] == Match.FULL for route in request.app.routes)
    )


async def http_error_handler(request: Request, error: Exception) -> JSONResponse:
    """FastAPI's and Starlette's own refusals (their English ``detail``), in Chinese."""
    assert isinstance(error, HTTPException)
    status, headers = error.status_code, dict(error.headers or {})
    if status == 405:
        allowed = headers["Allow"] = _allowed(request) or headers.get("Allow", "")
        return _error(
            405,
            "method_not_allowed",
            f"不支持{request.method}请求:{request.url.path}只接受"
            f"{'、'.join(m.strip() for m in allowed.split(',') if m.strip()) or '其他方法'}请求",
            headers=headers,
        )
    if status == 400:
        return _error(400, "invalid_body", _unparsed(error.__cause__), headers=headers)
    if status == 413:
        return _error(413, TooLarge.code, "请求内容过大", headers=headers)
    detail = error.detail if isinstance(error.detail, str) and re.search(r"[\u4e00-\u9fff]", error.detail) else ""
    return _error(
        status, f"http_{status}", detail or STATUS_TEXT.get(status, f"请求未能处理(HTTP {status})"), headers=headers
    )


async def validation_error_handler(request: Request, error: Exception) -> JSONResponse:
    """A body of the wrong shape (none, an array, a single value, not JSON at all) says so; field errors are
    worded by ``web.validation_error_handler``."""
    assert isinstance(error, RequestValidationError)
    first = error.errors()[0] if error.errors() else {}
    if tuple(first.get("loc", ())) == ("body",):
        kind, given = first.get("type", ""), first.get("input")
        if kind == "missing":
            return _error(422, "invalid_input", "请求内容不能为空:应为JSON对象")
        if isinstance(given, bytes | bytearray):
            return _error(
                415,
                "unsupported_media_type",
                "请求内容应为JSON对象,请求头Content-Type应为application/json",
                field="Content-Type",
            )
        if kind in ("model_attributes_type", "model_type", "dict_type"):
            return _error(422, "invalid_input", "请求内容应为JSON对象({…}),不接受数组或单个值")
    return await web.validation_error_handler(request, error)


async def undecodable_handler(_request: Request, _error_: Exception) -> JSONResponse:
    """Text a route decoded itself that was not UTF-8: the client's bytes."""
    return _error(400, "invalid_body", "请求内容不是有效的UTF-8编码:请以UTF-8编码发送")


async def unexpected_error_handler(request: Request, error: Exception) -> JSONResponse:
    """The last resort: what nothing else answered. The traceback goes to the log, the client gets Chinese."""
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return _error(500, "internal_error", "模拟器内部错误,本次请求未能完成(错误已记录在模拟器日志中),请稍后重试")


HANDLERS: tuple[tuple[type[Exception], Callable[[Request, Exception], Awaitable[JSONResponse]]], ...] = (
    (HTTPException, http_error_handler),
    (RequestValidationError, validation_error_handler),
    (UnicodeDecodeError, undecodable_handler),
    (Exception, unexpected_error_handler),
)


__all__ = ["EXEMPT", "HANDLERS", "MAX_BODY", "MAX_DEPTH", "RequestGuard", "origin_of", "own_origins", "too_deep"]

"""Records every request of a tenant (method, path, status, time, the start of both bodies) in its journal."""

from __future__ import annotations

import re
import time
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from simulators.core import clock, masking
from simulators.core.db import Database
from simulators.core.models import JournalEntry, Tenant
from simulators.web import TENANT_COOKIE, TENANT_HEADER

SKIPPED = ("/static/", "/__sim/", "/favicon", "/openapi.json", "/docs")
LIMIT = 2000
_COOKIE = re.compile(rf"(?:^|;\s*){TENANT_COOKIE}=([^;]+)")
# Secrets a person types or a login hands out never reach the journal (it is attached to failed reports); ID and
# phone numbers, openids, user ids and account numbers reach it masked (simulators.core.masking).
_SECRET = re.compile(r'("(?:password|password_confirm|sms_code|captcha|token)"\s*:\s*)"(?:[^"\\]|\\.)*"')


def redact(body: str) -> str:
    return _SECRET.sub(r'\1"***"', body)


def _kept(body: str) -> str:
    """A body as the journal keeps it: secrets redacted, whatever identifies a person masked."""
    return masking.mask_body(redact(body), cut=len(body.encode()) >= LIMIT)


class JournalMiddleware:
    def __init__(self, app: ASGIApp, db: Database) -> None:
        self.app, self.db = app, db

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(SKIPPED):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_body, response_body, status = bytearray(), bytearray(), [0]

        async def receive_logged() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(request_body) < LIMIT:
                request_body.extend(message.get("body", b"")[: LIMIT - len(request_body)])
            return message

        async def send_logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            elif message["type"] == "http.response.body" and len(response_body) < LIMIT:
                response_body.extend(message.get("body", b"")[: LIMIT - len(response_body)])
            await send(message)

        try:
            await self.app(scope, receive_logged, send_logged)
        finally:
            entry = dict(
                tenant=_tenant(scope),
                method=scope["method"],
                path=scope["path"]
                + ("?" + scope["query_string"].decode(errors="replace") if scope["query_string"] else ""),
                status=status[0] or 500,
                millis=round((time.perf_counter() - started) * 1000, 1),
                request=request_body.decode(errors="replace"),
                response=response_body.decode(errors="replace") if _is_text(scope, response_body) else "",
            )
            await anyio.to_thread.run_sync(self._write, entry)  # masked there, off the event loop

    def _write(self, entry: dict[str, Any]) -> None:
        path = masking.mask_target(*entry["path"].partition("?")[::2])[:300]
        request, response = _kept(entry["request"]), _kept(entry["response"])  # before the write lock is taken
        with self.db.transaction() as session:
            tenant = session.get(Tenant, entry["tenant"])
            if tenant is None:
                return
            session.add(
                JournalEntry(
                    tenant_id=tenant.id,
                    at=clock.now(tenant),
                    method=entry["method"],
                    path=path,
                    status=entry["status"],
                    millis=entry["millis"],
                    request=request,
                    response=response,
                )
            )


def _tenant(scope: Scope) -> str:
    headers: dict[str, str] = {k.decode().lower(): v.decode(errors="replace") for k, v in scope["headers"]}
    if TENANT_HEADER.lower() in headers:
        return headers[TENANT_HEADER.lower()]
    query: dict[str, str] = dict(
        part.split("=", 1) for part in scope["query_string"].decode().split("&") if "=" in part
    )
    if TENANT_COOKIE in query:
        return query[TENANT_COOKIE]
    match = _COOKIE.search(headers.get("cookie", ""))
    return match.group(1) if match else "demo"


def _is_text(scope: Scope, body: bytes | bytearray) -> bool:
    """JSON and short plain answers are kept; pages and files are named by their path alone."""
    return body[:1] in (b"{", b"[") or body in (b"success", b"fail")

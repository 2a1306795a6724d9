"""What the OpenAPI document declares of the providers' routes, beyond their own answers: the tenant header, the
refusals that reach a route from the app's guards (``web.ErrorOut``), pages and pictures.

A provider answers in its own wire format; a status that may also carry the simulator's refusal (a tenant that
does not exist, a body the guards cannot read) declares both (anyOf).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Depends
from fastapi.params import Depends as DependsParam
from pydantic import BaseModel, JsonValue

from simulators import web

Responses = dict[int | str, dict[str, Any]]

TENANT: list[DependsParam] = [Depends(web.declared_tenant)]
SERVER = (400, 404, 413, 415, 422, 500)  # what a signed server-to-server API may meet beside its own answers
PAGE = (404, 422, 500)  # what a payer's page may meet (a trade that does not exist)
# what a payer's button may meet: 400/413 an unreadable or too large body (the guards read every POST's), 403 a
# cross-site post, 404 no such trade, 409 the trade refuses
BUTTON = (400, 403, 404, 409, 413, 422, 500)
ANSWERS = dict(web.ERROR_TEXT)
BINARY = {"type": "string", "format": "binary"}


def errors(*statuses: int, own: Mapping[int, Any] | None = None, either: Mapping[int, Any] | None = None) -> Responses:
    """The refusals a route may answer: ``statuses`` in the simulator's shape, ``own`` in the provider's format
    only, ``either`` in the provider's format or the simulator's (anyOf)."""
    declared: Responses = {status: dict(web.ERROR_RESPONSES[status]) for status in statuses}
    for status, model in (own or {}).items():
        declared[status] = {"model": model, "description": f"{ANSWERS.get(status, '支付渠道拒绝')}(支付渠道的格式)"}
    for status, model in (either or {}).items():
        declared[status] = {
            "model": model | web.ErrorOut,
            "description": f"{ANSWERS.get(status, '支付渠道拒绝')}(支付渠道的格式,或模拟器的 ErrorOut)",
        }
    return declared


def page(description: str, *statuses: int) -> Responses:
    """A payer's HTML page and its refusals (``statuses``, else ``PAGE``), declared on a route whose
    ``response_class`` is ``Response``, so that FastAPI files the refusals under JSON, not the page's media type."""
    return {
        200: {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}},
        **errors(*(statuses or PAGE)),
    }


def png(description: str) -> Responses:
    """A picture (PNG), as a binary string, and the refusals of a page."""
    return {200: {"description": description, "content": {"image/png": {"schema": BINARY}}}, **errors(*PAGE)}


def image_body(kinds: tuple[str, ...]) -> dict[str, Any]:
    """``openapi_extra`` declaring a raw picture as the request body (one of ``kinds``, media types)."""
    return {"requestBody": {"required": True, "content": {kind: {"schema": BINARY} for kind in kinds}}}


def one_of(values: Mapping[str, object]) -> dict[str, JsonValue]:
    """A field's ``enum`` in the schema (a field of states: ``states.DECLARED``'s), left unchecked on the way out."""
    names: list[JsonValue] = [*values]
    return {"enum": names}


def body(model: type[BaseModel], media_type: str = "application/json", *, optional: str = "") -> dict[str, Any]:
    """``openapi_extra`` declaring the request body of a route that reads it itself (to check its signature first
    and to refuse it in the provider's own format): the model's schema, its nested models written out in place.
    ``optional``: the body may be left out, and what the provider answers then (in Chinese): a form gateway reads
    its parameters wherever they come and answers a missing one with its own error, as the real one does."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    shown = inline(schema)
    if optional:  # nothing is required of the HTTP request: each missing parameter gets its own error answer
        for name in shown.pop("required", []):
            field = shown["properties"][name]
            field["description"] = f"{field.get('description', name)}(必选;缺少时答支付渠道的错误应答)"
    declared: dict[str, Any] = {"required": not optional, "content": {media_type: {"schema": shown}}}
    if optional:
        declared["description"] = optional
    return {"requestBody": declared}

"""WeChat Pay's own error answers: ``{"code": …, "message": …}`` with its HTTP status.

WechatPayError
├── 400 INVALID_REQUEST / PARAM_ERROR / ORDERPAID / ORDER_CLOSED
├── 401 SIGN_ERROR
└── 404 ORDER_NOT_EXIST (the order APIs) / RESOURCE_NOT_EXISTS (the refund API)
"""

from __future__ import annotations


class WechatPayError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def param_error(message: str) -> WechatPayError:
    return WechatPayError(400, "PARAM_ERROR", message)


def invalid_request(message: str) -> WechatPayError:
    """The request is well formed but the order's state or the business rules refuse it."""
    return WechatPayError(400, "INVALID_REQUEST", message)


def not_exist() -> WechatPayError:
    return WechatPayError(404, "ORDER_NOT_EXIST", "订单不存在")


def sign_error() -> WechatPayError:
    return WechatPayError(401, "SIGN_ERROR", "签名错误")

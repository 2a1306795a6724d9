"""Alipay's own error answers: HTTP 200 with ``{"<method>_response": {code, msg, sub_code, sub_msg}}``.

AlipayError
├── 40001 Missing Required Arguments   isv.missing-*  (a common parameter is missing)
├── 40002 Invalid Arguments            isv.invalid-signature / isv.invalid-app-id / isv.invalid-method …
└── 40004 Business Failed              ACQ.INVALID_PARAMETER / ACQ.TRADE_NOT_EXIST / ACQ.TRADE_HAS_SUCCESS /
                                       ACQ.TRADE_HAS_CLOSE / ACQ.TRADE_STATUS_ERROR / ACQ.CONTEXT_INCONSISTENT /
                                       ACQ.TRADE_HAS_FINISHED / ACQ.REFUND_AMT_NOT_EQUAL_TOTAL (refunds)
"""

from __future__ import annotations

from simulators.gateways.alipay import signing

MESSAGES = {"40001": "Missing Required Arguments", "40002": "Invalid Arguments", "40004": "Business Failed"}


class AlipayError(Exception):
    def __init__(self, code: str, sub_code: str, sub_msg: str, method: str = "") -> None:
        super().__init__(sub_msg)
        self.code, self.sub_code, self.sub_msg, self.method = code, sub_code, sub_msg, method

    def text(self) -> str:
        """The answer as Alipay writes it, unsigned, under the method's response name."""
        return signing.response_text(
            None,
            self.method,
            {
                "code": self.code,
                "msg": MESSAGES[self.code],
                "sub_code": self.sub_code,
                "sub_msg": self.sub_msg,
            },
        )


def missing(name: str) -> AlipayError:
    return AlipayError("40001", f"isv.missing-{name.replace('_', '-')}", f"缺少必选参数{name}")


def invalid(sub_code: str, sub_msg: str) -> AlipayError:
    return AlipayError("40002", sub_code, sub_msg)


def invalid_signature() -> AlipayError:
    return invalid("isv.invalid-signature", "验签出错,建议检查签名字符串或签名私钥与应用公钥是否匹配")


def business(sub_code: str, sub_msg: str) -> AlipayError:
    return AlipayError("40004", sub_code, sub_msg)


def invalid_parameter(sub_msg: str) -> AlipayError:
    return business("ACQ.INVALID_PARAMETER", sub_msg)


def not_exist() -> AlipayError:
    return business("ACQ.TRADE_NOT_EXIST", "交易不存在")

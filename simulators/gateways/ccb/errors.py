"""CCB's own error answers: HTTP 200 with ``{"SUCCESS": "false", "RETURN_CODE": …, "RETURN_MSG": …}``.

    CcbError
    ├── E1001  MAC校验失败
    ├── E1002  参数错误(names the field and the rule)
    ├── E1003  商户信息不符
    ├── E2001  订单不存在
    ├── E2002  订单已支付
    ├── E2003  订单已关闭或支付失败
    ├── E2004  订单号重复且订单信息不一致
    ├── E2005  订单未支付成功,不能退款
    ├── E2006  订单已退款
    ├── E2007  退款流水号重复且退款信息不一致
    └── E2008  退款金额与订单金额不符(只受理全额退款)

The codes are the simulator's own: CCB's interface documents were not among the sources.
"""

from __future__ import annotations


class CcbError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message

    def body(self) -> dict[str, str]:
        return {"SUCCESS": "false", "RETURN_CODE": self.code, "RETURN_MSG": self.message}


def bad_mac() -> CcbError:
    return CcbError("E1001", "MAC校验失败")


def param_error(message: str) -> CcbError:
    return CcbError("E1002", message)


def not_exist() -> CcbError:
    return CcbError("E2001", "订单不存在")

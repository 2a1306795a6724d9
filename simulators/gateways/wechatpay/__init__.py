"""The WeChat Pay simulator (/pay/wechatpay/) and the merchant's client of it."""

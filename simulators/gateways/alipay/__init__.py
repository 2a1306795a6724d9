"""The Alipay simulator (/pay/alipay/): wap pay and QR pay (precreate) with their cashier, the Alipay app's
scanner, and the merchant's clients of both."""

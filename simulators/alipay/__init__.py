"""The Alipay mini-program “宁波社保缴费”: pages and back end under /alipay/."""

"""The bank of 协议支付 (three-party agreements) and of Alipay's 缴费批扣定档 batch deduction."""

"""The China Construction Bank (建设银行) payment simulator (/pay/ccb/): its 龙支付 cashier and the merchant's
client of it."""

"""The “宁波税务” WeChat official account channel: pages under /wechat/, back end under /wechat/api/."""

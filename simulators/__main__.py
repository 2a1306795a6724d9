"""``python -m simulators --host 127.0.0.1 --port 8000 [--db URL] [--token T]``"""

from __future__ import annotations

import argparse
import ipaddress
import secrets

import uvicorn

from simulators.app import create_app
from simulators.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m simulators", description="宁波养老保险费缴费渠道模拟器")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--db", help="数据库URL(默认:临时目录中的SQLite文件)")
    parser.add_argument("--token", help="控制接口令牌(非回环地址时必需,未给出则随机生成)")
    args = parser.parse_args()
    token = args.token
    if not _loopback(args.host) and not token:
        token = secrets.token_urlsafe(16)
        print(f"控制接口令牌(X-Sim-Token): {token}")
    settings = Settings.from_env(db_url=args.db, control_token=token, self_url=f"http://{args.host}:{args.port}")
    print(f"模拟器: http://{args.host}:{args.port}/  (数据库 {settings.db_url})")
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="warning")


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


if __name__ == "__main__":
    main()

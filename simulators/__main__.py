"""``python -m simulators --host 127.0.0.1 --port 8000 [--db URL] [--token T] [--test-mode]``"""

from __future__ import annotations

import argparse
import ipaddress
import secrets

import uvicorn

from simulators.app import create_app
from simulators.settings import Settings


def options(argv: list[str] | None = None) -> tuple[argparse.Namespace, Settings]:
    """The command line read into settings (a missing token made up when the host is not loopback)."""
    parser = argparse.ArgumentParser(prog="python -m simulators", description="宁波养老保险费缴费渠道模拟器")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--db", help="数据库URL(默认:临时目录中的SQLite文件)")
    parser.add_argument("--token", help="控制接口令牌(非回环地址时必需,未给出则随机生成)")
    parser.add_argument(
        "--test-mode",
        action="store_true",
        help="测试模式:每个页面带一个模拟器测试抽屉(短信验证码、随机验证码、扫码登录、模拟时钟),供人手工体验;"
        "只能绑定本机地址,且不能与控制接口令牌同用",
    )
    args = parser.parse_args(argv)
    token = args.token
    if args.test_mode and not _loopback(args.host):
        parser.error("测试模式会在页面上显示短信验证码:只能绑定本机地址(如 127.0.0.1)")
    if not _loopback(args.host) and not token:
        token = secrets.token_urlsafe(16)
        print(f"控制接口令牌(X-Sim-Token): {token}")
    settings = Settings.from_env(
        db_url=args.db,
        control_token=token,
        self_url=f"http://{args.host}:{args.port}",
        test_mode=args.test_mode or None,
    )
    if settings.test_mode and settings.control_token:
        parser.error("测试模式的抽屉不带令牌调用控制接口:不能与 --token 或 SIM_TOKEN 同用")
    return args, settings


def main() -> None:
    args, settings = options()
    mode = ",测试模式:页面右侧有「模拟器测试模式」抽屉" if settings.test_mode else ""
    print(f"模拟器: http://{args.host}:{args.port}/  (数据库 {settings.db_url}{mode})")
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_level="warning",
        timeout_keep_alive=settings.keep_alive_seconds,
    )


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


if __name__ == "__main__":
    main()

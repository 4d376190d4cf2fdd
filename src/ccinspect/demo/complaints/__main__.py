"""``python -m ccinspect.demo.complaints``: run the demo complaint service until SIGINT/SIGTERM.

Exit status: 0 after a clean stop, 1 if the database cannot be opened, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from aiohttp import web

from ccinspect.demo.complaints.db import StoreUnavailable, redacted_url

from .app import ACCESS_LOG_FORMAT, SHUTDOWN_TIMEOUT, build_app
from .config import DEFAULT_REPLY_DAYS, ServiceConfig

log = logging.getLogger("ccinspect.demo.complaints")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ccinspect.demo.complaints",
        description="Demo complaint service (用户投诉处理) for the ccinspect demo PBX.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8089, help="TCP port to listen on")
    parser.add_argument("--db", required=True, help="SQLite file path or any SQLAlchemy database URL")
    parser.add_argument(
        "--reply-days",
        type=int,
        default=DEFAULT_REPLY_DAYS,
        help="days a complaint may wait for a reply (default %(default)s)",
    )
    parser.add_argument(
        "--token-env",
        metavar="VAR",
        help="environment variable holding the API bearer token (default: no authentication)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    token: str | None = None
    if args.token_env is not None:
        token = os.environ.get(args.token_env, "")
        if not token.strip():
            parser.error(f"--token-env {args.token_env}: that environment variable is unset or empty")
    try:
        config = ServiceConfig(database=args.db, reply_days=args.reply_days, token=token)
    except ValueError as exc:
        parser.error(str(exc))

    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )

    def announce(*_lines: object) -> None:
        log.info(
            "complaint service on http://%s:%d (database %s, reply within %d days, auth %s)",
            args.host,
            args.port,
            redacted_url(config.database_url),
            config.reply_days,
            "on" if token else "off",
        )

    try:
        web.run_app(
            build_app(config),
            host=args.host,
            port=args.port,
            access_log_format=ACCESS_LOG_FORMAT,
            shutdown_timeout=SHUTDOWN_TIMEOUT,
            print=announce,
        )
    except StoreUnavailable as exc:
        log.error("cannot start: %s", exc)
        return 1
    log.info("complaint service stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``python -m ccinspect.demo.platform_b.console --config FILE``: run the console until SIGINT/SIGTERM.

Exit status: 0 after a clean stop, 1 if the database stays unusable during startup, 2 for a bad
command line or config file.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from aiohttp import web

from .app import ACCESS_LOG_FORMAT, SHUTDOWN_TIMEOUT, build_app
from .config import ConfigError, load_config
from .records import ConsoleError
from .store import redacted

log = logging.getLogger("ccinspect.demo.platform_b.console")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ccinspect.demo.platform_b.console",
        description="Platform B's vendor web console (呼叫中心管理平台) for the ccinspect demo.",
    )
    parser.add_argument("--config", required=True, type=Path, help="JSON config file (see config.py)")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    try:
        config = load_config(args.config)
        host, port = config.host_port()
    except ConfigError as exc:
        print(exc.render(), file=sys.stderr)
        return 2

    def announce(*_lines: object) -> None:
        log.info(
            "console on http://%s:%d (database %s, recordings %s)",
            host,
            port,
            redacted(config.dsn),
            config.recording_root,
        )

    try:
        web.run_app(
            build_app(config),
            host=host,
            port=port,
            access_log_format=ACCESS_LOG_FORMAT,
            shutdown_timeout=SHUTDOWN_TIMEOUT,
            print=announce,
        )
    except ConsoleError as exc:
        log.error("cannot start: %s", exc)
        return 1
    log.info("console stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A throwaway PostgreSQL cluster for the store tests: initdb into a temp dir, a unix socket only.

PostgreSQL refuses to run as root, so as root the cluster belongs to the ``postgres`` OS user
(created by Debian's postgresql package) and every server command runs through ``runuser``.
Every wait is bounded. Anything that goes wrong raises :class:`PostgresUnavailable` saying why and
what to do; the fixture turns that into a test failure, never a skip.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

PG_BINDIR_ENV = "CCINSPECT_PG_BINDIR"
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 30


class PostgresUnavailable(Exception):
    """The test cluster could not be created or started."""


def _version(path: Path) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", path.parent.name)) or (0,)


def find_bindir() -> Path:
    """Where initdb/pg_ctl/postgres live: $CCINSPECT_PG_BINDIR, Debian's newest, or PATH."""
    env = os.environ.get(PG_BINDIR_ENV)
    candidates = [Path(env)] if env else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version, reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for bindir in candidates:
        if all((bindir / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return bindir
    raise PostgresUnavailable(
        "postgresql server binaries not found (looked for initdb, pg_ctl and postgres in "
        f"${PG_BINDIR_ENV}, /usr/lib/postgresql/*/bin and PATH): run `make install` "
        "(scripts/install-system-deps.sh installs Debian's postgresql package)"
    )


class PostgresCluster:
    """One temporary cluster; :meth:`start` it, :meth:`database` per test, :meth:`stop` at the end."""

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.base = Path(tempfile.mkdtemp(prefix="ccinspect-pg-"))
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self._as_postgres: list[str] = []
        self._databases = 0
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise PostgresUnavailable(
                    "running as root, but there is no `postgres` OS user to own the test cluster "
                    "(PostgreSQL refuses to run as root): run `make install`, which installs Debian's "
                    "postgresql package and creates that user"
                ) from exc
            os.chown(self.base, owner.pw_uid, owner.pw_gid)
            self._as_postgres = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
        command = [*self._as_postgres, *args]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PostgresUnavailable(
                f"{args[0]} did not finish within {timeout} s{self._log_tail()}"
            ) from exc
        except OSError as exc:
            raise PostgresUnavailable(f"cannot run {command[0]}: {exc}") from exc
        if done.returncode != 0:
            output = done.stderr.strip() or done.stdout.strip()
            raise PostgresUnavailable(
                f"{Path(args[0]).name} failed (exit {done.returncode}): {output}{self._log_tail()}"
            )
        return done

    def _log_tail(self) -> str:
        try:
            lines = self.log.read_text(errors="replace").splitlines()[-15:]
        except OSError:
            return ""
        return "\nserver log tail:\n" + "\n".join(lines) if lines else ""

    def start(self) -> None:
        """initdb (trust auth, no fsync) and start a server listening only on a socket in the temp dir."""
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
            timeout=START_TIMEOUT_S,
        )
        options = f"-k {self.base} -c listen_addresses='' -F -c full_page_writes=off"
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            str(START_TIMEOUT_S),
            "start",
            timeout=START_TIMEOUT_S + 10,
        )

    def database(self) -> str:
        """Create a fresh empty database and return its SQLAlchemy URL."""
        self._databases += 1
        name = f"ccinspect_test_{self._databases}"
        with psycopg.connect(
            host=str(self.base), user="postgres", dbname="postgres", autocommit=True, connect_timeout=10
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@/{name}?host={self.base}"

    def stop(self) -> None:
        """Stop the server (fast shutdown, bounded) and delete the cluster."""
        try:
            if (self.data / "postmaster.pid").exists():
                self._run(
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-m",
                    "fast",
                    "-w",
                    "-t",
                    str(STOP_TIMEOUT_S),
                    "stop",
                    timeout=STOP_TIMEOUT_S + 10,
                )
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

"""Platform B's PostgreSQL: a private cluster of the host's Debian binaries, kept in the cache.

PostgreSQL refuses to run as root, so the cluster belongs to the ``postgres`` OS user and every
server command runs through ``runuser``. The cluster's home (``demo-b/pg``: ``data/`` and
``server.log``) stays in the cache; because the cache usually sits below a home directory the
``postgres`` user cannot traverse, it is bind-mounted at :data:`RUN_DIR` while the server runs
(``stop`` unmounts it). The server listens on 127.0.0.1:5442 (TCP, password auth) and on a unix
socket in :data:`RUN_DIR` (trust, used only by this module to bootstrap roles and databases).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import subprocess
import time
from pathlib import Path

import psutil
import psycopg
from psycopg import sql

from ccinspect.demo.errors import DemoError
from ccinspect.demo.platform_b.rootfs import Rootfs, tail

RUN_DIR = Path("/run/ccinspect-demo-b")
PORT = 5442
USER = "ccb"
PASSWORD = "ccb-db-pass"  # noqa: S105 - the demo's fixed, published credentials (contract)
DATABASES = ("callcenter", "kamailio")


def _version(path: Path) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", path.parent.name)) or (0,)


def find_bindir() -> Path:
    """Debian's newest PostgreSQL server binaries (or those on PATH)."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version, reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for bindir in candidates:
        if all((bindir / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return bindir
    raise DemoError(
        "PostgreSQL server binaries not found (initdb, pg_ctl, postgres in /usr/lib/postgresql/*/bin)",
        "未找到 PostgreSQL 服务器程序（/usr/lib/postgresql/*/bin 中的 initdb、pg_ctl、postgres）",
        hint="run `make install` or `apt-get install postgresql`",
    )


def dsn(database: str = "callcenter") -> str:
    """The SQLAlchemy URL of one of the cluster's databases as the ``ccb`` role."""
    return f"postgresql+psycopg://{USER}:{PASSWORD}@127.0.0.1:{PORT}/{database}"


class PgCluster:
    """The cluster in ``state_dir/pg``: initdb once, start, bootstrap, stop."""

    def __init__(self, state_dir: Path) -> None:
        self.home = state_dir / "pg"
        self.run_home = RUN_DIR / "pg"
        self.data = self.run_home / "data"
        self.sock = RUN_DIR / "sock"

    @property
    def log(self) -> Path:
        """The server log (host path in the cache, readable whether mounted or not)."""
        return self.home / "server.log"

    def _owner(self) -> pwd.struct_passwd:
        try:
            return pwd.getpwnam("postgres")
        except KeyError as exc:
            raise DemoError(
                "there is no `postgres` OS user to own platform B's database (PostgreSQL refuses root)",
                "没有 `postgres` 系统用户来运行平台 B 的数据库（PostgreSQL 拒绝以 root 运行）",
                hint="run `make install` (it installs Debian's postgresql package)",
            ) from exc

    def _run(self, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
        cmd = ["runuser", "-u", "postgres", "--", *args]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise DemoError(
                f"{Path(args[0]).name} did not finish within {timeout:.0f} s",
                f"{Path(args[0]).name} 在 {timeout:.0f} 秒内未完成",
                hint="see the PostgreSQL log below",
                detail=tail(self.log, 20),
            ) from exc
        if done.returncode != 0:
            raise DemoError(
                f"{Path(args[0]).name} failed (exit {done.returncode}) for platform B's database",
                f"平台 B 数据库的 {Path(args[0]).name} 执行失败（退出码 {done.returncode}）",
                hint="see the output and the PostgreSQL log below",
                detail=(done.stderr or done.stdout) + "\n--- server.log ---\n" + tail(self.log, 20),
            )
        return done

    def _mount(self) -> None:
        owner = self._owner()
        self.home.mkdir(parents=True, exist_ok=True)
        os.chown(self.home, owner.pw_uid, owner.pw_gid)
        self.home.chmod(0o700)
        RUN_DIR.mkdir(parents=True, exist_ok=True)
        for d in (self.run_home, self.sock):
            d.mkdir(exist_ok=True)
            os.chown(d, owner.pw_uid, owner.pw_gid)
        if str(self.run_home) not in Rootfs.mounts_below(RUN_DIR):
            res = subprocess.run(
                ["mount", "--bind", str(self.home), str(self.run_home)],
                capture_output=True,
                text=True,
                check=False,
            )
            if res.returncode != 0:
                raise DemoError(
                    f"could not bind-mount {self.home} at {self.run_home}",
                    f"无法将 {self.home} 绑定挂载到 {self.run_home}",
                    hint="run as root on a machine that allows mounts",
                    detail=res.stderr,
                )

    def start(self, *, timeout: float = 30.0) -> None:
        """initdb (once), start the server and create the role and databases (idempotent)."""
        bindir = find_bindir()
        self._mount()
        if not (self.data / "PG_VERSION").is_file():
            self._run(
                str(bindir / "initdb"),
                "-D",
                str(self.data),
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                timeout=120,
            )
        if self.running():
            self._bootstrap()
            return
        (self.data / "postmaster.pid").unlink(missing_ok=True)
        options = f"-c listen_addresses=127.0.0.1 -p {PORT} -k {self.sock} -c timezone=UTC"
        self._run(
            str(bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.run_home / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            str(int(timeout)),
            "start",
            timeout=timeout + 10,
        )
        self._bootstrap()

    def _connect(self, dbname: str) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host=str(self.sock), port=PORT, user="postgres", dbname=dbname, autocommit=True, connect_timeout=5
        )

    def _bootstrap(self) -> None:
        try:
            with self._connect("postgres") as conn:
                if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (USER,)).fetchone() is None:
                    conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(USER)))
                conn.execute(
                    sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(USER), sql.Literal(PASSWORD))
                )
                for db in DATABASES:
                    if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,)).fetchone() is None:
                        conn.execute(
                            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                                sql.Identifier(db), sql.Identifier(USER)
                            )
                        )
        except psycopg.Error as exc:
            raise DemoError(
                f"could not create the role {USER!r} and databases {', '.join(DATABASES)}: {exc}",
                f"无法创建数据库角色 {USER!r} 和数据库 {', '.join(DATABASES)}",
                hint="see the PostgreSQL log below",
                detail=tail(self.log, 20),
            ) from exc

    def execute_script(self, database: str, script: str) -> None:
        """Run an SQL script in ``database`` as the ``ccb`` role (provisioning)."""
        try:
            with psycopg.connect(
                host="127.0.0.1", port=PORT, user=USER, password=PASSWORD, dbname=database, connect_timeout=5
            ) as conn:
                conn.execute(script.encode())
        except psycopg.Error as exc:
            raise DemoError(
                f"provisioning database {database!r} failed: {exc}",
                f"初始化数据库 {database!r} 失败",
                hint="fix the SQL file of the platform B config dir",
            ) from exc

    def accepts(self, *, timeout: float = 2.0) -> bool:
        """True when the ``ccb`` role can connect over TCP and run a query."""
        try:
            with psycopg.connect(
                host="127.0.0.1",
                port=PORT,
                user=USER,
                password=PASSWORD,
                dbname="callcenter",
                connect_timeout=max(1, int(timeout)),
            ) as conn:
                conn.execute("SELECT 1")
            return True
        except psycopg.Error:
            return False

    def postmaster(self) -> psutil.Process | None:
        """The running postmaster of this cluster, if any."""
        try:
            pid = int((self.home / "data/postmaster.pid").read_text().split()[0])
            proc = psutil.Process(pid)
            if proc.name() == "postgres":
                return proc
        except (OSError, ValueError, IndexError, psutil.Error):
            pass
        return None

    def running(self) -> bool:
        return self.postmaster() is not None

    def stop(self, *, timeout: float = 20.0) -> bool:
        """Stop the server (fast, bounded, then killed) and unmount; True when it was running."""
        proc = self.postmaster()
        if proc is not None:
            with contextlib.suppress(psutil.Error):
                proc.send_signal(2)  # SIGINT: PostgreSQL's "fast" shutdown
                try:
                    proc.wait(timeout=timeout)
                except psutil.TimeoutExpired:
                    for child in proc.children(recursive=True):
                        with contextlib.suppress(psutil.Error):
                            child.kill()
                    proc.kill()
                    proc.wait(timeout=5)
        deadline = time.monotonic() + 5
        while Rootfs.mounts_below(RUN_DIR) and time.monotonic() < deadline:
            Rootfs.unmount_all(RUN_DIR)
            if Rootfs.mounts_below(RUN_DIR):
                time.sleep(0.2)
        return proc is not None

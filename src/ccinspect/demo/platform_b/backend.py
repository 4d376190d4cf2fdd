"""Platform B's lifecycle: PostgreSQL, the vendor console, Asterisk 16 and Kamailio, up and down.

Promises:
- both root filesystems are built once into the cache (see :mod:`.rootfs`) and reused;
- ``up`` refuses ports held by someone else naming the holder, installs the config dir into the
  trees, then starts PostgreSQL -> console (waits for /healthz) -> Asterisk 16 -> Kamailio, each
  wait bounded; on any failure it stops everything again and raises DemoError with log tails;
- ``down`` leaves no process of either tree, no console, no PostgreSQL and no mount behind;
- platform A's ports (5060, 5070, 8088, 8089, RTP 10000-20000) are never used.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil

from ccinspect import paths
from ccinspect.demo.errors import DemoError
from ccinspect.demo.pbx import probe
from ccinspect.demo.platform_b import config as bconfig
from ccinspect.demo.platform_b import pg
from ccinspect.demo.platform_b.rootfs import ASTERISK16, KAMAILIO, Progress, Rootfs, tail
from ccinspect.demo.platform_b.status import PlatformBState, PlatformBStatus
from ccinspect.platform.sipprobe import HostPort

CONSOLE_MODULE = "ccinspect.demo.platform_b.console"
MONITOR_DIR = "var/spool/asterisk/monitor"
PORTS = (
    (5080, "udp", "Kamailio (SIP)"),
    (5090, "udp", "Asterisk 16 (SIP)"),
    (pg.PORT, "tcp", "PostgreSQL"),
    (8180, "tcp", "vendor console (HTTP)"),
)


def _quiet(_: str) -> None:
    return None


def _tcp_port_free(port: int) -> bool:
    """True when a server could listen on 127.0.0.1:``port`` now (connections of a stopped
    server lingering in TIME_WAIT do not count, as for the servers themselves)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class PlatformB:
    """Builds, starts, inspects and stops platform B."""

    def __init__(
        self, *, cache: Path | None = None, state_dir: Path | None = None, progress: Progress = _quiet
    ) -> None:
        self.cache = cache or paths.cache_dir()
        self.state_dir = state_dir or self.cache / "demo-b"
        self.kamailio = Rootfs(KAMAILIO, self.cache)
        self.asterisk = Rootfs(ASTERISK16, self.cache)
        self.pg = pg.PgCluster(self.state_dir)
        self.progress = progress

    # -- paths ----------------------------------------------------------------------------------
    @property
    def state_file(self) -> Path:
        return self.state_dir / "state.json"

    @property
    def recording_root(self) -> Path:
        """Where Asterisk 16 writes recordings, seen from the host."""
        return self.asterisk.root / MONITOR_DIR

    @property
    def asterisk_out(self) -> Path:
        return self.state_dir / "asterisk.out"

    @property
    def messages_log(self) -> Path:
        return self.asterisk.root / "var/log/asterisk/messages"

    @property
    def kamailio_log(self) -> Path:
        return self.state_dir / "kamailio.log"

    @property
    def console_log(self) -> Path:
        return self.state_dir / "console.log"

    @property
    def console_config(self) -> Path:
        return self.state_dir / "console.json"

    # -- helpers --------------------------------------------------------------------------------
    def asterisk_cli(self, command: str, *, timeout: float = 10.0) -> str:
        """Run an Asterisk 16 CLI command in its chroot; DemoError when it fails."""
        res = self.asterisk.run("/usr/sbin/asterisk", "-rx", command, timeout=timeout)
        if res.returncode != 0:
            raise DemoError(
                f"Asterisk 16 CLI command {command!r} failed: {res.stderr.strip() or res.stdout.strip()}",
                f"Asterisk 16 命令 {command!r} 执行失败",
                hint="is platform B running? `ccinspect demo status --platform b`",
            )
        return res.stdout

    def _own_pids(self) -> set[int]:
        pids = {p.pid for p in self.kamailio.processes() + self.asterisk.processes()}
        master = self.pg.postmaster()
        if master is not None:
            pids.add(master.pid)
        state = PlatformBState.load(self.state_file)
        if state is not None and state.console_pid:
            pids.add(state.console_pid)
        return pids

    def _check_ports(self) -> None:
        own = self._own_pids()
        for port, kind, what in PORTS:
            if kind == "tcp" and _tcp_port_free(port):
                continue
            owner = probe.port_owner(port, kind)
            if owner is not None and owner.pid not in own:
                raise DemoError(
                    f"port {port}/{kind} for {what} is already in use by {owner.describe()}",
                    f"{what} 所需端口 {port}/{kind} 已被 {owner.describe()} 占用",
                    hint="stop that process, then run `ccinspect demo up --platform b` again",
                )

    def _install(self, cfg: bconfig.PlatformBConfig) -> None:
        etc = self.asterisk.root / "etc/asterisk"
        shutil.rmtree(etc, ignore_errors=True)
        etc.mkdir(parents=True)
        for conf in sorted((cfg.path / "asterisk").glob("*.conf")):
            shutil.copyfile(conf, etc / conf.name)
        stereo = self.asterisk.root / "usr/local/bin/ccb-stereo"
        stereo.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cfg.path / "asterisk/ccb-stereo.sh", stereo)
        stereo.chmod(0o755)
        for sub in (MONITOR_DIR, "var/spool/asterisk/legs", "var/run/asterisk", "var/log/asterisk"):
            (self.asterisk.root / sub).mkdir(parents=True, exist_ok=True)
        for stale in ("var/run/asterisk/asterisk.ctl", "var/run/asterisk/asterisk.pid"):
            (self.asterisk.root / stale).unlink(missing_ok=True)
        kam_etc = self.kamailio.root / "etc/kamailio"
        kam_etc.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cfg.path / "kamailio/kamailio.cfg", kam_etc / "kamailio.cfg")
        (self.kamailio.root / "run/kamailio").mkdir(parents=True, exist_ok=True)

    @staticmethod
    def _spawn(cmd: list[str], log: Path) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            return subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    # -- lifecycle ------------------------------------------------------------------------------
    def up(
        self, cfg: bconfig.PlatformBConfig, *, timeout: float = 90.0, console: bool = True
    ) -> PlatformBStatus:
        """Start platform B from ``cfg`` (stopping a running one first); wait until it answers.

        ``console=False`` starts it without the vendor console (for working on the PBX side alone):
        the ``cdr`` table is then created here with the contract's columns.
        """
        if console and importlib.util.find_spec(CONSOLE_MODULE) is None:
            raise DemoError(
                f"the vendor console ({CONSOLE_MODULE}) is not installed",
                f"未安装厂商控制台（{CONSOLE_MODULE}）",
                hint="update ccinspect, or start without it: `ccinspect demo up --platform b --no-console`",
            )
        self.kamailio.ensure(progress=self.progress)
        self.asterisk.ensure(progress=self.progress)
        self._check_ports()
        self.down(quiet=True)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        for log in (self.asterisk_out, self.kamailio_log, self.console_log):
            log.write_bytes(b"")
        started = time.monotonic()
        deadline = started + timeout
        # The state is saved after every step, so that `down` after a failure finds the console.
        state = PlatformBState(
            config_dir=str(cfg.path),
            console_enabled=console,
            console_pid=None,
            asterisk_pid=None,
            kamailio_pid=None,
            started_at=time.time(),
        )
        state.save(self.state_file)
        try:
            self._install(cfg)
            self.progress("starting PostgreSQL on 127.0.0.1:5442")
            self.pg.start(timeout=min(30.0, timeout))
            for script in cfg.sql_scripts():
                self.pg.execute_script("kamailio", script.read_text(encoding="utf-8"))
            if console:
                state = self._start_console(cfg, deadline, state)
            else:
                from ccinspect.demo.platform_b.cdrtable import CREATE_CDR

                self.pg.execute_script("callcenter", CREATE_CDR)
            self.asterisk.mount()
            self.kamailio.mount()
            state = dataclasses.replace(state, asterisk_pid=self._start_asterisk(deadline))
            state.save(self.state_file)
            state = dataclasses.replace(state, kamailio_pid=self._start_kamailio(deadline))
            state.save(self.state_file)
            status = self.status()
            if not status.healthy:
                raise DemoError(
                    "platform B started but is not healthy: " + "; ".join(status.problems),
                    "平台 B 已启动但状态异常：" + "; ".join(status.problems),
                    hint="see `ccinspect demo logs --platform b`",
                    detail=self.logs(lines=20),
                )
            self.progress(f"platform B up in {time.monotonic() - started:.1f} s")
            return status
        except BaseException:
            self.down(quiet=True)
            raise

    def _start_console(
        self, cfg: bconfig.PlatformBConfig, deadline: float, state: PlatformBState
    ) -> PlatformBState:
        self.console_config.write_text(cfg.console_json(self.recording_root), encoding="utf-8")
        self.progress(f"starting the vendor console on {cfg.console_listen}")
        proc = self._spawn(
            [sys.executable, "-m", CONSOLE_MODULE, "--config", str(self.console_config)], self.console_log
        )
        state = dataclasses.replace(state, console_pid=proc.pid)
        state.save(self.state_file)
        url = f"http://{cfg.console_listen}/healthz"
        last = ""
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise DemoError(
                    f"the vendor console exited during start-up (exit {proc.returncode})",
                    f"厂商控制台启动过程中退出（退出码 {proc.returncode}）",
                    hint="fix the error shown below (console.yaml of the config dir?)",
                    detail=tail(self.console_log),
                )
            answer = probe.http_get_sync(url, timeout=1.0)
            if answer.ok:
                return state
            last = str(answer.status or answer.error)
            time.sleep(0.3)
        raise DemoError(
            f"the vendor console did not answer {url} with 200 in time (last: {last})",
            f"厂商控制台未及时在 {url} 返回 200（最后一次：{last}）",
            hint="see the console log below",
            detail=tail(self.console_log),
        )

    def _start_asterisk(self, deadline: float) -> int:
        self.progress("starting Asterisk 16 on 127.0.0.1:5090")
        proc = self._spawn(
            ["chroot", str(self.asterisk.root), "/usr/sbin/asterisk", "-f", "-n", "-q"], self.asterisk_out
        )
        sip = HostPort.parse(bconfig.ASTERISK_SIP, default_port=5090)
        booted = False
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise DemoError(
                    f"Asterisk 16 exited during start-up (exit {proc.returncode})",
                    f"Asterisk 16 启动过程中退出（退出码 {proc.returncode}）",
                    hint="fix the configuration error shown below, then run `ccinspect demo up --platform b`",
                    detail="--- asterisk output ---\n"
                    + tail(self.asterisk_out)
                    + "\n--- messages ---\n"
                    + tail(self.messages_log),
                )
            if not booted:
                with contextlib.suppress(DemoError):
                    remaining = max(1.0, deadline - time.monotonic())
                    booted = "fully booted" in self.asterisk_cli("core waitfullybooted", timeout=remaining)
            if booted and probe.sip_options_probe(sip, timeout=0.5) is not None:
                return proc.pid
            time.sleep(0.3)
        raise DemoError(
            f"Asterisk 16 did not answer SIP OPTIONS at {sip} in time",
            f"Asterisk 16 未及时在 {sip} 响应 SIP OPTIONS",
            hint="see the Asterisk log below",
            detail=tail(self.messages_log, 20) + "\n" + tail(self.asterisk_out, 10),
        )

    def _start_kamailio(self, deadline: float) -> int:
        self.progress("starting Kamailio on 127.0.0.1:5080")
        proc = self._spawn(
            [
                "chroot",
                str(self.kamailio.root),
                "/usr/sbin/kamailio",
                "-f",
                "/etc/kamailio/kamailio.cfg",
                "-DD",
                "-E",
                "-m",
                "64",
                "-M",
                "8",
            ],
            self.kamailio_log,
        )
        sip = HostPort.parse(bconfig.KAMAILIO_SIP, default_port=5080)
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise DemoError(
                    f"Kamailio exited during start-up (exit {proc.returncode})",
                    f"Kamailio 启动过程中退出（退出码 {proc.returncode}）",
                    hint="fix the error shown below (kamailio.cfg of the config dir?)",
                    detail=tail(self.kamailio_log),
                )
            if probe.sip_options_probe(sip, timeout=0.5) is not None:
                return proc.pid
            time.sleep(0.3)
        raise DemoError(
            f"Kamailio did not answer SIP OPTIONS at {sip} in time",
            f"Kamailio 未及时在 {sip} 响应 SIP OPTIONS",
            hint="see the Kamailio log below",
            detail=tail(self.kamailio_log),
        )

    def down(self, *, quiet: bool = False) -> list[str]:
        """Stop Kamailio, Asterisk 16, the console and PostgreSQL, unmount; return what was done."""
        done: list[str] = []
        if self.kamailio.kill_all():
            done.append("stopped Kamailio")
        if self.asterisk.processes():
            with contextlib.suppress(DemoError):
                self.asterisk_cli("core stop now", timeout=5.0)
            deadline = time.monotonic() + 10
            while self.asterisk.processes() and time.monotonic() < deadline:
                time.sleep(0.2)
            self.asterisk.kill_all()
            done.append("stopped Asterisk 16")
        if self._stop_console():
            done.append("stopped the vendor console")
        if self.pg.stop():
            done.append("stopped PostgreSQL")
        for tree in (self.kamailio, self.asterisk):
            if tree.mounts_below(tree.root):
                tree.unmount_all(tree.root)
                done.append(f"unmounted /proc and /dev of {tree.spec.name}")
        leftover = [m for t in (self.kamailio, self.asterisk) for m in t.mounts_below(t.root)]
        leftover += Rootfs.mounts_below(pg.RUN_DIR)
        if leftover and not quiet:
            raise DemoError(
                "mounts are left behind: " + ", ".join(leftover),
                "仍有挂载点未卸载：" + ", ".join(leftover),
                hint="close shells inside the chroots, then `umount -l` them",
            )
        self.state_file.unlink(missing_ok=True)
        return done

    def _console_process(self) -> psutil.Process | None:
        """The console started by this backend: the state's pid, else any process running the
        console module with this state dir's config file (a start that failed half-way)."""
        state = PlatformBState.load(self.state_file)
        if state is not None and state.console_pid:
            with contextlib.suppress(psutil.Error):
                proc = psutil.Process(state.console_pid)
                if CONSOLE_MODULE in " ".join(proc.cmdline()):
                    return proc
        for proc in psutil.process_iter(["cmdline"]):
            cmdline = proc.info.get("cmdline") or []
            if CONSOLE_MODULE in cmdline and str(self.console_config) in cmdline:
                return proc
        return None

    def _stop_console(self) -> bool:
        proc = self._console_process()
        if proc is None:
            return False
        with contextlib.suppress(psutil.Error):
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except psutil.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        return True

    def status(self) -> PlatformBStatus:
        """Probe every piece of platform B (never raises for a stopped one)."""
        from ccinspect.demo.platform_b.health import probe_status

        return probe_status(self)

    def logs(self, *, lines: int = 40) -> str:
        """The tails of every log of platform B."""
        parts = []
        for title, path, n in (
            ("Asterisk 16 messages", self.messages_log, lines),
            ("Asterisk 16 output", self.asterisk_out, lines // 2),
            ("Kamailio", self.kamailio_log, lines),
            ("vendor console", self.console_log, lines // 2),
            ("PostgreSQL", self.pg.log, lines // 2),
        ):
            parts += [f"--- {title}: {path} ---", tail(path, n)]
        return "\n".join(parts)

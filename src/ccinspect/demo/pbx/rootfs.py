"""The rootfs backend: Asterisk 22 from Debian sid in a debootstrap root filesystem, run with chroot.

Lifecycle promises:
- the root filesystem is built once into the cache (atomically: a half-built tree is never
  used) and reused afterwards;
- ``up`` refuses ports held by someone else and names the holder, installs the config, mounts
  /proc and /dev into the tree, starts Asterisk and the complaint service, and waits (bounded)
  until SIP, ARI and the complaint API answer, or stops everything and shows the logs' tails;
- ``down`` leaves no Asterisk process of this tree and no mount below it.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil

from ccinspect import paths
from ccinspect.demo.chroot import Rootfs, RootfsSpec, tail
from ccinspect.demo.errors import DemoError
from ccinspect.demo.pbx import config as democonfig
from ccinspect.demo.pbx import health, probe, purge
from ccinspect.demo.pbx.status import DemoState, DemoStatus

ROOTFS_PACKAGES = ("asterisk", "asterisk-core-sounds-en-gsm")
ROOTFS_SUITE = "sid"
ROOTFS_FORMAT = 1  # bump when the tree's contents must change; an older tree is rebuilt
ASTERISK_BIN = "/usr/sbin/asterisk"
#: Platform A's tree: Asterisk 22 from Debian sid (``cache/rootfs/sid-asterisk``).
ROOTFS = RootfsSpec(
    name=f"{ROOTFS_SUITE}-asterisk",
    suite=ROOTFS_SUITE,
    packages=ROOTFS_PACKAGES,
    probe=ASTERISK_BIN.lstrip("/"),
    format=ROOTFS_FORMAT,
)
RECORDING_DIR = "var/spool/asterisk/recording"

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


class RootfsBackend:
    """Builds, starts, inspects and stops the demo PBX in a chroot."""

    name = "rootfs"

    def __init__(
        self,
        *,
        cache: Path | None = None,
        state_dir: Path | None = None,
        progress: Progress = _quiet,
    ) -> None:
        self.cache = cache or paths.cache_dir()
        self.state_dir = state_dir or paths.demo_state_dir()
        self.tree = Rootfs(ROOTFS, self.cache)
        self.root = self.tree.root
        self.progress = progress

    # -- paths ----------------------------------------------------------------------------------
    @property
    def state_file(self) -> Path:
        return self.state_dir / "state.json"

    @property
    def asterisk_out(self) -> Path:
        return self.state_dir / "asterisk.out"

    @property
    def complaints_log(self) -> Path:
        return self.state_dir / "complaints.log"

    @property
    def recording_dir(self) -> Path:
        """Where Asterisk writes recordings, seen from the host."""
        return self.root / RECORDING_DIR

    @property
    def cdr_file(self) -> Path:
        return self.root / "var/log/asterisk/cdr-custom/ccinspect.json"

    @property
    def messages_log(self) -> Path:
        return self.root / "var/log/asterisk/messages.log"

    # -- root filesystem ---------------------------------------------------------------------
    def rootfs_ready(self) -> bool:
        """True when a complete root filesystem of the current format is cached."""
        return self.tree.ready()

    def ensure_rootfs(self, *, timeout: float = 900.0) -> Path:
        """Build the root filesystem unless a complete one is cached; return its path."""
        return self.tree.ensure(progress=self.progress, timeout=timeout)

    # -- mounts and processes (the chroot plumbing every demo tree shares) ----------------------
    @staticmethod
    def _mounts_below(root: Path) -> list[str]:
        return Rootfs.mounts_below(root)

    def _mount(self) -> None:
        self.tree.mount()

    def _unmount_all(self, root: Path) -> None:
        Rootfs.unmount_all(root)

    def _processes_in_root(self) -> list[psutil.Process]:
        """Processes whose root directory is this root filesystem (Asterisk and its helpers)."""
        return self.tree.processes()

    def asterisk_cli(self, command: str, *, timeout: float = 10.0) -> str:
        """Run an Asterisk CLI command (``asterisk -rx``) in the chroot and return its output."""
        try:
            res = subprocess.run(
                ["chroot", str(self.root), ASTERISK_BIN, "-rx", command],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise DemoError(
                f"Asterisk CLI command {command!r} did not answer within {timeout:.0f} s",
                f"Asterisk 命令 {command!r} 在 {timeout:.0f} 秒内没有响应",
                hint="see `ccinspect demo logs`",
            ) from exc
        if res.returncode != 0:
            raise DemoError(
                f"Asterisk CLI command {command!r} failed: {res.stderr.strip() or res.stdout.strip()}",
                f"Asterisk 命令 {command!r} 执行失败",
                hint="is the demo PBX running? `ccinspect demo status`",
            )
        return res.stdout

    def _check_ports(self, cfg: democonfig.DemoConfig) -> None:
        own: set[int | None] = {p.pid for p in self._processes_in_root()}
        state = DemoState.load(self.state_file)
        if state is not None and state.complaints_pid:
            own.add(state.complaints_pid)
        checks = (
            (cfg.site.sip.port, "udp", "SIP"),
            (cfg.site.ari.port, "tcp", "ARI (HTTP)"),
            (cfg.site.complaints.port, "tcp", "complaint service"),
        )
        for port, kind, what in checks:
            owner = probe.port_owner(port, kind)
            if owner is not None and owner.pid not in own:
                raise DemoError(
                    f"port {port}/{kind} for {what} is already in use by {owner.describe()}",
                    f"{what} 所需端口 {port}/{kind} 已被 {owner.describe()} 占用",
                    hint="stop that process (a PBX of your own?), or start the demo on other "
                    "addresses with --sip-bind / a config dir whose http.conf uses another port",
                )

    # -- lifecycle -----------------------------------------------------------------------------
    def up(
        self,
        cfg: democonfig.DemoConfig,
        *,
        sip: democonfig.HostPort | None = None,
        trunk: democonfig.HostPort | None = None,
        timeout: float = 60.0,
    ) -> DemoStatus:
        """Start the demo PBX from ``cfg`` (stopping a running one first); wait until it answers."""
        purge.check_policy(cfg.retention)
        self.ensure_rootfs()
        self._check_ports(cfg if sip is None else democonfig.replace_site(cfg, sip=sip))
        self.down(quiet=True)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        installed = democonfig.prepare_copy(cfg, self.state_dir / "config", sip=sip, trunk=trunk)
        self.progress(f"installing configuration from {cfg.path}")
        res = subprocess.run(
            ["sh", str(paths.install_config_script()), str(installed.path), str(self.root)],
            capture_output=True,
            text=True,
            check=False,
        )
        if res.returncode != 0:
            raise DemoError(
                f"installing the configuration from {cfg.path} failed",
                f"从 {cfg.path} 安装配置失败",
                detail=res.stderr,
            )
        result = purge.purge(self.recording_dir, cfg.retention)
        if result.deleted:
            self.progress(
                f"retention: deleted {len(result.deleted)} recordings older than {result.days} days"
            )
        self._mount()
        self.progress("starting Asterisk")
        for stale in (
            self.root / "var/run/asterisk/asterisk.ctl",
            self.root / "var/run/asterisk/asterisk.pid",
        ):
            stale.unlink(missing_ok=True)
        with self.asterisk_out.open("wb") as out:
            ast = subprocess.Popen(
                ["chroot", str(self.root), ASTERISK_BIN, "-f", "-n", "-q"],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.progress(f"starting the complaint service on {installed.site.complaints}")
        db = self.state_dir / "complaints.sqlite"
        with self.complaints_log.open("ab") as out:
            comp = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ccinspect.demo.complaints",
                    "--host",
                    installed.site.complaints.host,
                    "--port",
                    str(installed.site.complaints.port),
                    "--db",
                    str(db),
                ],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        DemoState(
            backend=self.name,
            root=str(self.root),
            config_dir=str(cfg.path),
            installed_config=str(installed.path),
            asterisk_pid=ast.pid,
            complaints_pid=comp.pid,
            started_at=time.time(),
        ).save(self.state_file)
        try:
            return self._wait_ready(installed, ast, comp, timeout=timeout)
        except BaseException:
            self.down(quiet=True)
            raise

    def _wait_ready(
        self,
        cfg: democonfig.DemoConfig,
        ast: subprocess.Popen[bytes],
        comp: subprocess.Popen[bytes],
        *,
        timeout: float,
    ) -> DemoStatus:
        deadline = time.monotonic() + timeout
        booted = False
        status = DemoStatus(running=False, backend=self.name)
        while time.monotonic() < deadline:
            if ast.poll() is not None:
                raise DemoError(
                    f"Asterisk exited during start-up (exit {ast.returncode})",
                    f"Asterisk 启动过程中退出（退出码 {ast.returncode}）",
                    hint="fix the configuration error shown below, then run `ccinspect demo up` again",
                    detail="--- asterisk output ---\n"
                    + tail(self.asterisk_out)
                    + "\n--- messages.log ---\n"
                    + tail(self.messages_log),
                )
            if comp.poll() is not None:
                raise DemoError(
                    f"the complaint service exited during start-up (exit {comp.returncode})",
                    f"投诉服务启动过程中退出（退出码 {comp.returncode}）",
                    detail=tail(self.complaints_log),
                )
            if not booted:
                try:
                    out = self.asterisk_cli(
                        "core waitfullybooted", timeout=max(1.0, deadline - time.monotonic())
                    )
                    booted = "fully booted" in out
                except DemoError:
                    time.sleep(0.3)
                    continue
            status = self.status(cfg)
            if status.healthy:
                return status
            time.sleep(0.3)
        raise DemoError(
            f"the demo PBX did not become ready within {timeout:.0f} s",
            f"演示 PBX 在 {timeout:.0f} 秒内未就绪",
            hint="see the problems and log tails below; `ccinspect demo logs` shows more",
            detail="problems: "
            + "; ".join(status.problems)
            + "\n--- messages.log ---\n"
            + tail(self.messages_log, 15)
            + "\n--- complaint service ---\n"
            + tail(self.complaints_log, 10),
        )

    def down(self, *, quiet: bool = False, timeout: float = 15.0) -> list[str]:
        """Stop Asterisk and the complaint service, unmount; return what was done."""
        done: list[str] = []
        state = DemoState.load(self.state_file)
        if self._processes_in_root():
            with contextlib.suppress(DemoError):
                self.asterisk_cli("core stop now", timeout=5.0)
            deadline = time.monotonic() + timeout
            while self._processes_in_root() and time.monotonic() < deadline:
                time.sleep(0.2)
            for sig in (signal.SIGTERM, signal.SIGKILL):
                procs = self._processes_in_root()
                if not procs:
                    break
                for p in procs:
                    with contextlib.suppress(psutil.Error):
                        p.send_signal(sig)
                psutil.wait_procs(procs, timeout=3)
            done.append("stopped Asterisk")
        if state is not None and state.complaints_pid:
            with contextlib.suppress(psutil.Error):
                proc = psutil.Process(state.complaints_pid)
                cmdline = " ".join(proc.cmdline())
                # ccinspect.pbx.complaints: the service's module name before it moved into demo/.
                if "ccinspect.demo.complaints" in cmdline or "ccinspect.pbx.complaints" in cmdline:
                    proc.terminate()
                    try:
                        proc.wait(timeout=5)
                    except psutil.TimeoutExpired:
                        proc.kill()
                    done.append("stopped the complaint service")
        if self._mounts_below(self.root):
            self._unmount_all(self.root)
            done.append("unmounted /proc and /dev")
        leftover = self._mounts_below(self.root)
        if leftover and not quiet:
            raise DemoError(
                "mounts are left below the root filesystem: " + ", ".join(leftover),
                "根文件系统下仍有挂载点：" + ", ".join(leftover),
                hint="close shells inside the chroot, then `umount -l` them",
            )
        self.state_file.unlink(missing_ok=True)
        return done

    def status(self, cfg: democonfig.DemoConfig | None = None) -> DemoStatus:
        """Probe every interface of the running demo (never raises for a stopped one)."""
        state = DemoState.load(self.state_file)
        if cfg is None and state is not None:
            with contextlib.suppress(DemoError):
                cfg = democonfig.load(Path(state.installed_config))
        running = any(self._is_asterisk(p) for p in self._processes_in_root())
        if not running or cfg is None:
            return DemoStatus(
                running=running,
                backend=self.name,
                root=str(self.root),
                problems=("Asterisk is not running",) if not running else ("no state file",),
            )
        return self._probe(cfg, state)

    def _probe(self, cfg: democonfig.DemoConfig, state: DemoState | None) -> DemoStatus:
        """Ask Asterisk, SIP, ARI and the complaint API of a running demo how they are."""
        return health.probe_running(
            cfg,
            state,
            asterisk_cli=self.asterisk_cli,
            backend=self.name,
            root=str(self.root),
        )

    @staticmethod
    def _is_asterisk(proc: psutil.Process) -> bool:
        try:
            return proc.name() == "asterisk" and "-r" not in proc.cmdline()
        except psutil.Error:
            return False

    def logs(self, *, lines: int = 40) -> str:
        """The tails of Asterisk's messages log, its console output and the complaint service log."""
        return "\n".join(
            [
                f"--- {self.messages_log} ---",
                tail(self.messages_log, lines),
                f"--- {self.asterisk_out} ---",
                tail(self.asterisk_out, lines // 2),
                f"--- {self.complaints_log} ---",
                tail(self.complaints_log, lines // 2),
            ]
        )

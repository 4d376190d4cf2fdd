"""The demo platforms' root filesystems: Debian trees built once with debootstrap, run with chroot.

Every tree lives in ``cache_dir()/rootfs/NAME`` (platform A's ``sid-asterisk``, platform B's
``bookworm-kamailio`` and ``bullseye-asterisk16``). Each is built atomically (into
``NAME.partial``, renamed when debootstrap succeeded, with a format marker) under a lock shared by
all builders, so a half-built tree is never used and two ``demo up`` never build the same tree.

This module also holds the chroot plumbing every tree needs: mounting /proc and /dev, finding
the processes whose root is a tree, and unmounting everything below it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

from ccinspect.demo.errors import DemoError

Progress = Callable[[str], None]
MARKER = ".ccinspect-rootfs"


@dataclass(frozen=True)
class RootfsSpec:
    """One root filesystem: its Debian suite, the packages it includes, and a file proving it."""

    name: str
    suite: str
    packages: tuple[str, ...]
    probe: str
    """A file that exists in a complete tree (the main binary), relative to the root."""
    format: int = 1
    """Bump when the tree's contents must change: an older tree is rebuilt."""

    def marker(self) -> dict[str, object]:
        return {"format": self.format, "suite": self.suite, "packages": list(self.packages)}


def tail(path: Path, lines: int = 30) -> str:
    """The last ``lines`` lines of a text file ('' when it cannot be read)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(text[-lines:])


class Rootfs:
    """A cached Debian tree under ``cache/rootfs/NAME`` and the chroot plumbing around it."""

    def __init__(self, spec: RootfsSpec, cache: Path) -> None:
        self.spec = spec
        self.cache = cache
        self.root = cache / "rootfs" / spec.name

    def ready(self) -> bool:
        """True when a complete tree of the current format is cached."""
        try:
            marker = json.loads((self.root / MARKER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return bool(marker == self.spec.marker() and (self.root / self.spec.probe).is_file())

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        self.cache.mkdir(parents=True, exist_ok=True)
        with (self.cache / "rootfs.lock").open("w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def ensure(self, *, progress: Progress, timeout: float = 900.0) -> Path:
        """Build the tree unless a complete one is cached; return its path."""
        with self._lock():
            if self.ready():
                return self.root
            debootstrap = shutil.which("debootstrap")
            if debootstrap is None:
                raise DemoError(
                    f"debootstrap is not installed, so the {self.spec.name} root filesystem cannot be built",
                    f"未安装 debootstrap，无法构建 {self.spec.name} 根文件系统",
                    hint="run `make install` (it installs Debian's debootstrap) or "
                    "`apt-get install debootstrap`",
                )
            if os.geteuid() != 0:
                raise DemoError(
                    "building and running the demo's chroots needs root",
                    "构建和运行演示平台的 chroot 需要 root 权限",
                    hint="run `ccinspect demo up` as root, or use --backend docker (platform A)",
                )
            self.unmount_all(self.root)
            tmp = self.root.with_name(self.root.name + ".partial")
            if tmp.exists():
                self.unmount_all(tmp)
                shutil.rmtree(tmp)
            tmp.parent.mkdir(parents=True, exist_ok=True)
            progress(f"building the {self.spec.name} root filesystem (Debian {self.spec.suite}, once)")
            started = time.monotonic()
            self._debootstrap(debootstrap, tmp, progress, timeout)
            (tmp / MARKER).write_text(json.dumps(self.spec.marker()), encoding="utf-8")
            if self.root.exists():
                shutil.rmtree(self.root)
            tmp.rename(self.root)
            progress(f"{self.spec.name} ready in {time.monotonic() - started:.0f} s: {self.root}")
            return self.root

    def _debootstrap(self, debootstrap: str, tmp: Path, progress: Progress, timeout: float) -> None:
        cmd = [
            debootstrap,
            "--variant=minbase",
            "--include=" + ",".join(self.spec.packages),
            self.spec.suite,
            str(tmp),
        ]
        started = time.monotonic()
        log_lines: list[str] = []
        timed_out = False
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                log_lines.append(line.rstrip())
                if line.startswith(("I: Retrieving", "I: Configuring")):
                    progress(f"{self.spec.name}: {line.strip()[3:]}")
                if time.monotonic() - started > timeout:
                    timed_out = True
                    proc.kill()
                    break
            rc = proc.wait()
        if rc != 0 or timed_out:
            self.unmount_all(tmp)
            detail = "\n".join(log_lines[-20:]) + "\n" + tail(tmp / "debootstrap/debootstrap.log", 20)
            why = f"timed out after {timeout:.0f} s" if timed_out else f"exit {rc}"
            raise DemoError(
                f"debootstrap failed ({why}) building {tmp}",
                f"debootstrap 构建 {tmp} 失败（{why}）",
                hint="check that Debian's package servers are reachable (apt-get update works), "
                "then run the command again",
                detail=detail,
            )

    # -- mounts ---------------------------------------------------------------------------------
    @staticmethod
    def mounts_below(root: Path) -> list[str]:
        """Mount points strictly below ``root``."""
        prefix = str(root.resolve() if root.exists() else root) + "/"
        found: list[str] = []
        with open("/proc/self/mounts", encoding="utf-8") as fh:
            for line in fh:
                target = line.split()[1].replace("\\040", " ")
                if target.startswith(prefix):
                    found.append(target)
        return found

    def mount(self) -> None:
        """Mount /proc and bind /dev into the tree (idempotent)."""
        mounted = set(self.mounts_below(self.root))
        for sub, args in (("proc", ["-t", "proc", "proc"]), ("dev", ["--bind", "/dev"])):
            target = self.root / sub
            if str(target) in mounted:
                continue
            target.mkdir(exist_ok=True)
            res = subprocess.run(["mount", *args, str(target)], capture_output=True, text=True, check=False)
            if res.returncode != 0:
                raise DemoError(
                    f"could not mount {sub} into {self.root}",
                    f"无法将 {sub} 挂载到 {self.root}",
                    hint="run as root on a machine that allows mounts",
                    detail=res.stderr,
                )

    @classmethod
    def unmount_all(cls, root: Path) -> None:
        """Unmount everything below ``root``, deepest first (lazily when busy)."""
        for target in sorted(cls.mounts_below(root), key=len, reverse=True):
            res = subprocess.run(["umount", target], capture_output=True, check=False)
            if res.returncode != 0:
                subprocess.run(["umount", "-l", target], capture_output=True, check=False)

    # -- processes ------------------------------------------------------------------------------
    def processes(self) -> list[psutil.Process]:
        """Processes whose root directory is this tree."""
        target = str(self.root.resolve()) if self.root.exists() else str(self.root)
        found: list[psutil.Process] = []
        for proc in psutil.process_iter(["pid"]):
            try:
                if os.readlink(f"/proc/{proc.pid}/root") == target:
                    found.append(proc)
            except OSError:
                continue
        return found

    def kill_all(self, *, grace: float = 5.0) -> bool:
        """SIGTERM then SIGKILL every process of the tree; True when something was running."""
        procs = self.processes()
        if not procs:
            return False
        for sig in ("terminate", "kill"):
            for p in procs:
                with contextlib.suppress(psutil.Error):
                    getattr(p, sig)()
            _, alive = psutil.wait_procs(procs, timeout=grace)
            procs = alive + [p for p in self.processes() if p not in alive]
            if not procs:
                break
        return True

    def run(self, *args: str, timeout: float = 10.0) -> subprocess.CompletedProcess[str]:
        """Run a command inside the tree (bounded); raise DemoError when it does not finish."""
        try:
            return subprocess.run(
                ["chroot", str(self.root), *args],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise DemoError(
                f"{' '.join(args)!r} in {self.spec.name} did not finish within {timeout:.0f} s",
                f"{self.spec.name} 中的命令 {' '.join(args)!r} 在 {timeout:.0f} 秒内未完成",
                hint="see `ccinspect demo logs --platform b`",
            ) from exc

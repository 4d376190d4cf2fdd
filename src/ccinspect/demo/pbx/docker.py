"""The docker backend: the same configuration run with ``docker compose`` (docker/compose.yaml).

It cannot run on machines without a Docker engine; it says so before doing anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from ccinspect import paths
from ccinspect.demo.errors import DemoError
from ccinspect.demo.pbx import config as democonfig
from ccinspect.demo.pbx import purge
from ccinspect.demo.pbx.rootfs import Progress, RootfsBackend, _quiet
from ccinspect.demo.pbx.status import DemoState, DemoStatus


class DockerBackend(RootfsBackend):
    """Demo PBX in Docker containers; shares status probing with the rootfs backend."""

    name = "docker"

    def __init__(self, *, state_dir: Path | None = None, progress: Progress = _quiet) -> None:
        super().__init__(state_dir=state_dir, progress=progress)
        self.state_dir = (state_dir or paths.demo_state_dir()) / "docker"

    def _compose(self, *args: str, env: dict[str, str] | None = None, timeout: float = 600.0) -> str:
        docker = shutil.which("docker")
        ddir = paths.docker_dir()
        if docker is None or ddir is None:
            raise DemoError(
                "docker is not installed (or ccinspect is not running from a source checkout)",
                "未安装 docker（或 ccinspect 不是从源码目录运行）",
                hint="use --backend rootfs (the default)",
            )
        info = subprocess.run([docker, "info"], capture_output=True, text=True, check=False, timeout=30)
        if info.returncode != 0:
            raise DemoError(
                "no Docker engine answers (`docker info` failed)",
                "没有可用的 Docker 引擎（`docker info` 失败）",
                hint="start the Docker engine, or use --backend rootfs (the default)",
                detail=info.stderr.strip(),
            )
        res = subprocess.run(
            [docker, "compose", "-f", str(ddir / "compose.yaml"), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
            env={**os.environ, **(env or {})},
        )
        if res.returncode != 0:
            raise DemoError(
                f"docker compose {' '.join(args)} failed (exit {res.returncode})",
                f"docker compose {' '.join(args)} 执行失败（退出码 {res.returncode}）",
                detail=res.stderr[-3000:],
            )
        return res.stdout

    def asterisk_cli(self, command: str, *, timeout: float = 10.0) -> str:
        return self._compose("exec", "-T", "asterisk", "asterisk", "-rx", command, timeout=timeout)

    def up(
        self,
        cfg: democonfig.DemoConfig,
        *,
        sip: democonfig.HostPort | None = None,
        trunk: democonfig.HostPort | None = None,
        timeout: float = 60.0,
    ) -> DemoStatus:
        purge.check_policy(cfg.retention)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        installed = democonfig.prepare_copy(cfg, self.state_dir / "config", sip=sip, trunk=trunk)
        self.progress("docker compose up (builds the image the first time)")
        self._compose("up", "-d", "--build", env={"CCINSPECT_CONFIG_DIR": str(installed.path)})
        DemoState(
            backend=self.name,
            root="",
            config_dir=str(cfg.path),
            installed_config=str(installed.path),
            asterisk_pid=None,
            complaints_pid=None,
            started_at=time.time(),
        ).save(self.state_file)
        deadline = time.monotonic() + timeout
        status = self.status(installed)
        while not status.healthy and time.monotonic() < deadline:
            time.sleep(1.0)
            status = self.status(installed)
        if not status.healthy:
            raise DemoError(
                f"the demo PBX in Docker did not become ready within {timeout:.0f} s",
                f"Docker 中的演示 PBX 在 {timeout:.0f} 秒内未就绪",
                detail="; ".join(status.problems),
            )
        return status

    def down(self, *, quiet: bool = False, timeout: float = 15.0) -> list[str]:
        self._compose("down", timeout=timeout + 60)
        self.state_file.unlink(missing_ok=True)
        return ["docker compose down"]

    def _processes_in_root(self) -> list[object]:  # type: ignore[override]
        return []

    def status(self, cfg: democonfig.DemoConfig | None = None) -> DemoStatus:
        state = DemoState.load(self.state_file)
        try:
            running = "asterisk" in self._compose("ps", "--services", "--status", "running", timeout=30)
        except DemoError as exc:
            return DemoStatus(running=False, backend=self.name, problems=(exc.message,))
        if not running or (cfg is None and state is None):
            return DemoStatus(running=False, backend=self.name, problems=("Asterisk is not running",))
        return self._probe(cfg or democonfig.load(Path(state.installed_config if state else "")), state)

    def logs(self, *, lines: int = 40) -> str:
        return self._compose("logs", "--tail", str(lines))

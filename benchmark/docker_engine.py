"""The Docker part's engine: a reachable one, or (BENCHMARK_DOCKER=1, as root) a private dockerd under .run/docker.

The test tier starts its private engine with the same command line (`dockerd_command`, which
tests/support/docker.py calls: the tests may import this package, not the other way round). Without an engine the
Docker part is skipped with a line saying why, and the native rows stand alone.
"""

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from native.nginx_config import REPO
from native.processes import stop_process

PRIVATE_ROOT = REPO / ".run" / "docker"
BASE_IMAGES_BUILD = REPO / "base-images" / "build.sh"
# docker-compose.yml's defaults: used when the engine has them, else the stand-ins (base-images/build.sh).
OFFICIAL_IMAGES = {
    "PYTHON_IMAGE": "python:3.12-slim-bookworm",
    "NGINX_IMAGE": "nginxinc/nginx-unprivileged:1.30.4-trixie",
}


@dataclass
class Engine:
    """The engine's address, as DOCKER_HOST in `env` for the docker and compose command lines."""

    env: dict[str, str]
    dockerd: "subprocess.Popen[bytes] | None" = None
    base_images: dict[str, str] = field(default_factory=dict)

    def docker(self, *args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = ["docker", *args]
        result = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} exited with {result.returncode}:\n{result.stderr}")
        return result

    def image_bytes(self, image: str) -> int:
        return int(self.docker("image", "inspect", "--format", "{{.Size}}", image).stdout)

    def history(self, image: str) -> str:
        """Newest layer first: its size in bytes, a tab, and the step that made it."""
        fmt = "{{.Size}}\t{{.CreatedBy}}"
        return self.docker("history", "--human=false", "--no-trunc", "--format", fmt, image).stdout

    def dangling_images(self) -> list[str]:
        return self.docker("images", "--quiet", "--no-trunc", "--filter", "dangling=true").stdout.split()

    def stop(self) -> None:
        if self.dockerd is not None:
            stop_process(self.dockerd, signal.SIGTERM, timeout=60)
            self.dockerd = None


def reachable(host: str) -> bool:
    env = {**os.environ, "DOCKER_HOST": host}
    command = ["docker", "version", "--format", "{{.Server.Version}}"]
    probe = subprocess.run(command, env=env, capture_output=True, check=False)  # noqa: S603
    return probe.returncode == 0


def dockerd_command(dockerd: str, root: Path) -> list[str]:
    """A dockerd whose data, state, pid file and socket all live under `root`, beside no other engine."""
    return [
        dockerd,
        "--data-root",
        str(root / "data"),
        "--exec-root",
        str(root / "exec"),
        "--pidfile",
        str(root / "dockerd.pid"),
        "--host",
        f"unix://{root / 'docker.sock'}",
    ]


def start_private(root: Path = PRIVATE_ROOT) -> Engine:
    """A dockerd with its own data root and socket (absolute paths: containerd fails on relative ones)."""
    root.mkdir(parents=True, exist_ok=True)
    host = f"unix://{root / 'docker.sock'}"
    with (root / "benchmark-dockerd.log").open("ab") as log:
        dockerd = subprocess.Popen(  # noqa: S603
            dockerd_command(shutil.which("dockerd") or "/usr/sbin/dockerd", root),
            stdout=log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
    engine = Engine({**os.environ, "DOCKER_HOST": host}, dockerd)
    deadline = time.monotonic() + 60
    while not reachable(host):
        if dockerd.poll() is not None or time.monotonic() > deadline:
            engine.stop()
            raise RuntimeError(f"dockerd did not start; see {root / 'benchmark-dockerd.log'}")
        time.sleep(0.5)
    return engine


def find_engine() -> tuple[Engine | None, str]:
    """The engine to use, or None and the reason the Docker part is skipped."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if shutil.which("docker") and reachable(host):
        return Engine({**os.environ, "DOCKER_HOST": host}), f"the engine at {host}"
    if os.environ.get("BENCHMARK_DOCKER") != "1":
        return None, "no Docker engine is reachable (BENCHMARK_DOCKER=1 lets the benchmark start a private one)"
    if not shutil.which("docker") or not (shutil.which("dockerd") or Path("/usr/sbin/dockerd").exists()):
        return None, "BENCHMARK_DOCKER=1, but docker and dockerd are not installed (apt-get install docker.io)"
    if os.getuid() != 0:
        return None, "BENCHMARK_DOCKER=1, but starting a private dockerd needs root"
    return start_private(), f"a private dockerd under {PRIVATE_ROOT.relative_to(REPO)}"


def prepare_base_images(engine: Engine, run_dir: Path) -> None:
    """The official base images when the engine has them, else the stand-ins, as the test tier chooses."""
    if all(engine.docker("image", "inspect", image, check=False).returncode == 0 for image in OFFICIAL_IMAGES.values()):
        engine.base_images = {**OFFICIAL_IMAGES, "EXTRA_CA_CERTS": ""}
        return
    env_file = run_dir / "base-images.env"
    command = ["bash", str(BASE_IMAGES_BUILD)]
    subprocess.run(command, env={**engine.env, "ENV_FILE": str(env_file)}, check=True, timeout=900)  # noqa: S603
    values = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
    engine.base_images = {name: values[name] for name in ("PYTHON_IMAGE", "NGINX_IMAGE", "EXTRA_CA_CERTS")}

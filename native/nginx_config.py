"""nginx/templates rendered and checked on this machine exactly as the nginx image does at start."""

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from native.errors import StackError

REPO = Path(__file__).resolve().parent.parent
NGINX_DIR = REPO / "nginx"
TEMPLATE_SUFFIX = ".template"
# Entrypoint scripts that act rather than check: 24-upstream-watch.sh waits for the upstream name and leaves a
# process behind that reloads the container's nginx when the name moves (compose's `watch`). Rendering here
# checks a configuration; no nginx runs yet, and `make run` dials 127.0.0.1 with `start`.
NOT_CHECKS = frozenset({"24-upstream-watch.sh"})
INSTALL_NGINX_HINT = "install it: `apt-get install nginx-light` (Debian/Ubuntu), `brew install nginx` (macOS)"


def local_resolvers(resolv_conf: Path = Path("/etc/resolv.conf")) -> str:
    """The nameservers of resolv.conf in nginx's `resolver` syntax, like the nginx image's 15-local-resolvers."""
    servers = []
    if resolv_conf.exists():
        for line in resolv_conf.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "nameserver":
                servers.append(f"[{parts[1]}]" if ":" in parts[1] else parts[1])
    return " ".join(servers) or "127.0.0.1"


def render_nginx_config(variables: Mapping[str, str], templates: Path = NGINX_DIR / "templates") -> Path:
    """Renders every template into NGINX_ENVSUBST_OUTPUT_DIR and runs the image's entrypoint checks.

    Substitution is `envsubst` restricted to NGINX_* variables, as the image does with
    NGINX_ENVSUBST_FILTER=^NGINX_, so nginx's own $variables survive. Returns the main config path.
    """
    envsubst = shutil.which("envsubst")
    if envsubst is None:
        raise StackError("envsubst was not found: install it with `apt-get install gettext-base` (Debian/Ubuntu).")
    output_dir = Path(variables["NGINX_ENVSUBST_OUTPUT_DIR"])
    if output_dir.exists():
        shutil.rmtree(output_dir)
    names = " ".join(f"${{{name}}}" for name in variables if name.startswith("NGINX_"))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NGINX_ENVSUBST_TEMPLATE_DIR": str(templates), **variables}
    for template in sorted(templates.rglob(f"*{TEMPLATE_SUFFIX}")):
        target = output_dir / template.relative_to(templates).with_suffix("")
        target.parent.mkdir(parents=True, exist_ok=True)
        with template.open() as source, target.open("w") as rendered:
            subprocess.run([envsubst, names], stdin=source, stdout=rendered, env=env, check=True)  # noqa: S603
    for script in sorted(
        path for path in (NGINX_DIR / "docker-entrypoint.d").glob("*.sh") if path.name not in NOT_CHECKS
    ):
        result = subprocess.run([script], env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise StackError(f"{script.name} refused the configuration:\n{result.stderr.strip()}")
    output_dir.chmod(0o755)  # nginx workers run as an unprivileged user when the master is root
    return output_dir / "nginx.conf"


def nginx_command(config: Path, *args: str) -> list[str]:
    """The nginx command line for a rendered config; -e stderr avoids the compiled-in log path."""
    nginx = shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(path).exists()), None
    )
    if nginx is None:
        raise StackError(f"nginx was not found on PATH: {INSTALL_NGINX_HINT}.")
    return [nginx, "-e", "stderr", "-p", str(config.parent), "-c", str(config), *args]


def check_nginx_config(config: Path) -> None:
    """`nginx -t` on the rendered config, with nginx's own message on failure."""
    result = subprocess.run(nginx_command(config, "-t"), capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise StackError(f"nginx rejected {config}:\n{result.stderr.strip()}")

"""The processes the benchmark measures, all on loopback: one gunicorn, our nginx twice, and a minimal nginx.

Our nginx runs as `make run` wires it, once with NGINX_UPSTREAM_RESOLVE=start (upstream keep-alive, as in ECS)
and once with `runtime` (a connection per request). The minimal nginx is the limit for static files:
benchmark/minimal-nginx.conf, rendered into the run's own directory. When it can (as root), the benchmark also
runs a copy of the `start` nginx in a child CPU cgroup (benchmark/cgroup.py): what a container's cgroup costs.
"""

import re
import signal
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path
from string import Template

from benchmark.cgroup import CpuCgroup, make_cpu_cgroup
from benchmark.cpu import ProcessTree, child_pids
from native.nginx_config import NGINX_DIR, check_nginx_config, nginx_command
from native.processes import free_port, started_or_stop, stop_process
from native.site import prepare_site
from native.stack import NativeStack, start_gunicorn, start_nginx

MINIMAL_CONFIG = Path(__file__).with_name("minimal-nginx.conf")
# gunicorn's worker processes and threads for the benchmark: myapp/gunicorn.conf.py's defaults, stated here so
# that the report names what was measured.
WEB_CONCURRENCY = 2
GUNICORN_THREADS = 4
CGROUP_NGINX = "nginx (cpu cgroup)"
HASHED_CSS = re.compile(r'href="(/static/guestbook/site\.[0-9a-f]{12}\.css)"')


@dataclass
class Servers:
    """The running processes, their URLs, and the process trees whose CPU time the benchmark reads."""

    gunicorn_url: str
    nginx_url: str
    nginx_runtime_url: str
    minimal_url: str
    # Component name -> the master process; its children (the workers) do the work.
    components: dict[str, ProcessTree] = field(default_factory=dict)
    processes: list[tuple["subprocess.Popen[bytes]", int]] = field(default_factory=list)
    # The copy of the `start` nginx in a child CPU cgroup, or no URL and why not.
    nginx_cgroup_url: str = ""
    cgroup: CpuCgroup | None = None
    cgroup_note: str = ""

    def stop(self) -> None:
        """nginx first, then gunicorn, each with its graceful stop signal; then the cgroup goes."""
        for process, stop_signal in reversed(self.processes):
            stop_process(process, stop_signal)
        if self.cgroup is not None:
            try:
                self.cgroup.remove()
            except OSError as error:  # never hide what stopped the run
                print(f"benchmark: could not remove {self.cgroup.path}: {error}")


def hashed_css_path(html: str) -> str:
    """The site's hashed stylesheet, as the home page links it."""
    match = HASHED_CSS.search(html)
    if match is None:
        raise SystemExit("benchmark: the home page links no hashed stylesheet; is collectstatic broken?")
    return match.group(1)


def render_minimal_config(run_dir: Path, port: int, static_root: Path) -> Path:
    """benchmark/minimal-nginx.conf with this run's port, paths and static root, checked by `nginx -t`."""
    run_dir.mkdir(parents=True)
    run_dir.chmod(0o755)
    config = run_dir / "nginx.conf"
    config.write_text(
        Template(MINIMAL_CONFIG.read_text()).substitute(
            RUN_DIR=run_dir,
            PORT=port,
            STATIC_ROOT=static_root,
            MIME_TYPES=NGINX_DIR / "templates" / "conf.d" / "mime.types.template",
        )
    )
    check_nginx_config(config)
    return config


def start_minimal_nginx(run_dir: Path, static_root: Path, log: Path) -> tuple["subprocess.Popen[bytes]", str]:
    port = free_port()
    config = render_minimal_config(run_dir, port, static_root)
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603 - a fixed command line
            nginx_command(config, "-g", "daemon off;"), stdout=output, stderr=subprocess.STDOUT, process_group=0
        )
    url = f"http://127.0.0.1:{port}"

    def is_ours() -> bool:  # until nginx writes its pid, another process could hold the port
        try:
            return (run_dir / "nginx.pid").read_text().strip() == str(process.pid)
        except OSError:
            return False

    # Any answer will do (404 here): the stylesheet's hashed name is known only once the site answers.
    started_or_stop(process, f"{url}/static/", timeout=15, stop_signal=signal.SIGQUIT, is_ours=is_ours)
    return process, url


def start_servers(root: Path) -> Servers:
    """Prepares a private site under `root` and starts every process; on failure, stops what started."""
    static_root = root / "static"
    env = prepare_site(root / "db.sqlite3", static_root)
    app_env = {
        "DJANGO_SECRET_KEY": env["DJANGO_SECRET_KEY"],
        "DJANGO_SQLITE_PATH": env["DJANGO_SQLITE_PATH"],
        "WEB_CONCURRENCY": str(WEB_CONCURRENCY),
        "GUNICORN_THREADS": str(GUNICORN_THREADS),
    }
    log = root / "processes.log"
    keepalive = NativeStack(
        static_root=static_root,
        max_request_body_mb=10,
        port=free_port(),
        app_port=free_port(),
        runtime_dir=root / "keepalive",
        app_env=app_env,
    )
    # `runtime`: proxy_pass through a variable, so no upstream keep-alive (compose's proxying before `watch`).
    runtime = replace(keepalive, port=free_port(), runtime_dir=root / "runtime", upstream_resolve="runtime")
    servers = Servers(keepalive.app_url, keepalive.url, runtime.url, minimal_url="")
    try:
        with log.open("ab") as output:
            gunicorn = start_gunicorn(keepalive, output=output)
            servers.processes.append((gunicorn, signal.SIGTERM))
            nginx = start_nginx(keepalive, output=output)
            servers.processes.append((nginx, signal.SIGQUIT))
            nginx_runtime = start_nginx(runtime, output=output)
            servers.processes.append((nginx_runtime, signal.SIGQUIT))
        minimal, servers.minimal_url = start_minimal_nginx(root / "minimal", static_root, log)
        servers.processes.append((minimal, signal.SIGQUIT))
        servers.cgroup, servers.cgroup_note = make_cpu_cgroup(root.name)
        nginx_cgroup = None
        if servers.cgroup is not None:
            copy = replace(keepalive, port=free_port(), runtime_dir=root / "cgroup")
            with log.open("ab") as output:
                nginx_cgroup = start_nginx(copy, output=output)
            servers.processes.append((nginx_cgroup, signal.SIGQUIT))
            try:
                for pid in (nginx_cgroup.pid, *child_pids(nginx_cgroup.pid)):
                    servers.cgroup.add(pid)
                servers.nginx_cgroup_url = copy.url
            except OSError as error:  # cgroup v2 may refuse a process in the child: the row is left out
                servers.cgroup_note = f"cannot move nginx into {servers.cgroup.path}: {error}"
                stop_process(*servers.processes.pop())
                nginx_cgroup = None
                servers.cgroup.remove()
                servers.cgroup = None
    except BaseException:
        servers.stop()
        raise
    servers.components = {
        "gunicorn": ProcessTree("gunicorn", gunicorn.pid),
        "nginx": ProcessTree("nginx", nginx.pid),
        "nginx (runtime)": ProcessTree("nginx (runtime)", nginx_runtime.pid),
        "nginx (minimal)": ProcessTree("nginx (minimal)", minimal.pid),
    }
    if nginx_cgroup is not None:
        servers.components[CGROUP_NGINX] = ProcessTree(CGROUP_NGINX, nginx_cgroup.pid)
    return servers

"""The request paths the benchmark measures: one row each, in the order the report prints them.

A path is a URL and the components that serve it. Paths of one group share one offered load for the latency
runs, so that their latencies compare. Other ways of running the stack (the Docker topologies) add rows by
building more RequestPaths, with components that read their CPU time their own way (benchmark/cpu.py).
"""

from dataclasses import dataclass

from benchmark.servers import CGROUP_NGINX, Servers

# The rows, in order; docs/performance.md describes each (tests/unit/benchmark checks that it lists them all).
ROWS = (
    "static: minimal nginx",
    "static: our nginx",
    "static: gunicorn + WhiteNoise",
    "page: gunicorn direct",
    "page: nginx, keep-alive",
    "page: nginx, no keep-alive",
    "healthz: gunicorn direct",
    "healthz: nginx, keep-alive",
    "healthz: nginx, no keep-alive",
    # Only when the benchmark may make a CPU cgroup (benchmark/cgroup.py): otherwise left out.
    "healthz: nginx, keep-alive, in a CPU cgroup",
)
CGROUP_ROW = ROWS[-1]
# The roles a component plays on a path: the CPU table has a column for each. The Docker engine (dockerd,
# containerd, the shims, docker-proxy) plays a part only on the Docker rows.
ENGINE = "Docker engine"
ROLES = ("nginx", "gunicorn", ENGINE)


@dataclass(frozen=True)
class RequestPath:
    label: str
    # Paths of one group are loaded at the same rate in the latency runs.
    group: str
    url: str
    # Role -> the component (a key of the components the CPU meter reads) that plays it on this path.
    components: dict[str, str]
    # A command that runs wrk elsewhere (`docker exec <load container>`); empty: wrk on this machine.
    runner: tuple[str, ...] = ()
    # The CPU per request is read over the timed throughput run, not over a run of its own (the Docker rows, so
    # that they add no run): up to CONNECTIONS requests in flight when wrk stops are served but not counted.
    cpu_during_throughput: bool = False
    # A latency run at the group's fixed load (not on the Docker rows, to keep the benchmark under 10 minutes).
    latency: bool = True


def native_paths(servers: Servers, stylesheet: str) -> list[RequestPath]:
    """Paths 1 and 2 of the benchmark: the stylesheet, the guestbook page and /healthz, on this machine."""
    direct, nginx, runtime = servers.gunicorn_url, servers.nginx_url, servers.nginx_runtime_url
    proxied = {"nginx": "nginx", "gunicorn": "gunicorn"}
    unkept = {"nginx": "nginx (runtime)", "gunicorn": "gunicorn"}
    paths = [
        RequestPath(ROWS[0], "static", servers.minimal_url + stylesheet, {"nginx": "nginx (minimal)"}),
        RequestPath(ROWS[1], "static", nginx + stylesheet, {"nginx": "nginx"}),
        RequestPath(ROWS[2], "static", direct + stylesheet, {"gunicorn": "gunicorn"}),
        RequestPath(ROWS[3], "page", direct + "/", {"gunicorn": "gunicorn"}),
        RequestPath(ROWS[4], "page", nginx + "/", proxied),
        RequestPath(ROWS[5], "page", runtime + "/", unkept),
        RequestPath(ROWS[6], "healthz", direct + "/healthz", {"gunicorn": "gunicorn"}),
        RequestPath(ROWS[7], "healthz", nginx + "/healthz", proxied),
        RequestPath(ROWS[8], "healthz", runtime + "/healthz", unkept),
    ]
    if servers.nginx_cgroup_url:
        # CPU only: its throughput is measured too, but no latency run, to keep the benchmark under 10 minutes.
        in_cgroup = {"nginx": CGROUP_NGINX, "gunicorn": "gunicorn"}
        paths.append(
            RequestPath(CGROUP_ROW, "healthz", servers.nginx_cgroup_url + "/healthz", in_cgroup, latency=False)
        )
    assert [path.label for path in paths] == [
        label for label in ROWS if label != CGROUP_ROW or servers.nginx_cgroup_url
    ]
    return paths

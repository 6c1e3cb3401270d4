"""How nginx reaches gunicorn in each place the stack runs: the one table of topology values.

The ECS renderer (ecs/render.py), the native runner (native/) and the tests read this table.
docker-compose.yml and the Dockerfile's ENV defaults stay literal for people who read them; a unit test
(tests/unit/test_topologies.py) checks every value they share with this table.
"""

from dataclasses import dataclass, replace

# Inside the containers: gunicorn's port, nginx's port (the unprivileged nginx image), the static files.
APP_PORT = 8000
NGINX_PORT = 8080
STATIC_ROOT = "/srv/static"

# RFC 1918: where load balancers and Docker networks live.
PRIVATE_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
# Docker's default bridge, docker0, on ECS-optimized AMIs.
DOCKER0 = "172.17.0.0/16"
LOOPBACK = "127.0.0.1"
ANY_ADDRESS = "0.0.0.0"  # noqa: S104 - a listen address inside a container


@dataclass(frozen=True)
class Topology:
    """How nginx finds gunicorn in one place, and whom each of them trusts there."""

    # DJANGO_NETWORK_MODE: the label /whoami shows.
    network_mode: str
    # NGINX_LISTEN_ADDRESS.
    listen_address: str
    # NGINX_UPSTREAM_HOST: gunicorn's address as nginx dials it.
    upstream_host: str
    # NGINX_UPSTREAM_RESOLVE: `start` resolves once (IPs, /etc/hosts, links); `watch` also reloads nginx when
    # the name moves; `runtime` looks it up every 5 s, without upstream keep-alive.
    upstream_resolve: str
    # The host part of GUNICORN_BIND.
    app_host: str
    # FORWARDED_ALLOW_IPS: the peers gunicorn and Django believe, which is where nginx connects from.
    forwarded_allow_ips: tuple[str, ...]
    # NGINX_TRUSTED_PROXIES: the load balancers in front of nginx; None where each ECS environment file
    # names its own VPC.
    trusted_proxies: tuple[str, ...] | None
    # ECS only: the links on the nginx container and nginx's hostPort (0 is dynamic).
    nginx_links: tuple[str, ...] = ()
    nginx_host_port: int | None = None
    # ECS bridge mode without links: the container whose bridge address nginx reads from the task metadata
    # endpoint at start (NGINX_UPSTREAM_DISCOVERY=ecs-metadata); upstream_host is then empty.
    upstream_container: str | None = None
    # Whether the address nginx holds for the app survives the app container's restart in place: in awsvpc the
    # task's namespace (and 127.0.0.1) outlives any one container; on docker0 a restarted container can get
    # another address, and another task's container can get its old one.
    app_address_survives_restart: bool = False

    def nginx_environment(self, port: int = NGINX_PORT, app_port: int = APP_PORT) -> dict[str, str]:
        """The NGINX_* values this topology sets."""
        values = {
            "NGINX_LISTEN_ADDRESS": self.listen_address,
            "NGINX_LISTEN_PORT": str(port),
            "NGINX_UPSTREAM_PORT": str(app_port),
            "NGINX_UPSTREAM_RESOLVE": self.upstream_resolve,
        }
        if self.upstream_container is None:
            values["NGINX_UPSTREAM_HOST"] = self.upstream_host
        else:
            values |= {"NGINX_UPSTREAM_DISCOVERY": "ecs-metadata", "NGINX_UPSTREAM_CONTAINER": self.upstream_container}
        if self.trusted_proxies is not None:
            values["NGINX_TRUSTED_PROXIES"] = " ".join(self.trusted_proxies)
        return values

    def app_environment(self, app_port: int = APP_PORT) -> dict[str, str]:
        """The gunicorn and Django values this topology sets."""
        return {
            "GUNICORN_BIND": f"{self.app_host}:{app_port}",
            "FORWARDED_ALLOW_IPS": ",".join(self.forwarded_allow_ips),
            "DJANGO_NETWORK_MODE": self.network_mode,
        }


# ECS bridge mode: docker0 has no DNS, so nginx reaches the app through a link, which writes `app` into
# nginx's /etc/hosts; nginx resolves it once. The host port is dynamic (ALB target type `instance`).
BRIDGE = Topology(
    network_mode="bridge",
    listen_address=ANY_ADDRESS,
    upstream_host="app",
    upstream_resolve="start",
    app_host=ANY_ADDRESS,
    forwarded_allow_ips=(DOCKER0,),
    trusted_proxies=None,
    nginx_links=("app",),
    nginx_host_port=0,
)

TOPOLOGIES = {
    # `make run`: two processes on this machine. Both listen on loopback only; nginx trusts the
    # X-Forwarded-* of private addresses by default (NGINX_TRUSTED_PROXIES overrides it).
    "local": Topology(
        network_mode="local",
        listen_address=LOOPBACK,
        upstream_host=LOOPBACK,
        upstream_resolve="start",
        app_host=LOOPBACK,
        forwarded_allow_ips=(LOOPBACK,),
        trusted_proxies=PRIVATE_RANGES,
    ),
    # Docker Compose: a user-defined network whose DNS knows the service name `app`. nginx resolves it at
    # start, keeps connections alive, and reloads when the name moves (`watch`), so a recreated app
    # container is found again. nginx's address on that network is not known in
    # advance, so gunicorn believes the private ranges (its port is not published). No load balancer.
    "compose": Topology(
        network_mode="compose",
        listen_address=ANY_ADDRESS,
        upstream_host="app",
        upstream_resolve="watch",
        app_host=ANY_ADDRESS,
        forwarded_allow_ips=PRIVATE_RANGES,
        trusted_proxies=(LOOPBACK,),
    ),
    "bridge": BRIDGE,
    # ECS bridge mode by IP, without links: at start, nginx reads the app container's docker0 address from
    # the task metadata endpoint v4 (nginx/docker-entrypoint.d/19-upstream-from-ecs-metadata.envsh) and
    # resolves nothing. No hard-coded IP, and no legacy Docker links.
    "bridge-metadata": replace(BRIDGE, upstream_host="", nginx_links=(), upstream_container="app"),
    # ECS awsvpc mode: one network namespace per task, so nginx reaches gunicorn on loopback and gunicorn
    # listens only there. hostPort equals containerPort (ALB target type `ip`).
    "awsvpc": Topology(
        network_mode="awsvpc",
        listen_address=ANY_ADDRESS,
        upstream_host=LOOPBACK,
        upstream_resolve="start",
        app_host=LOOPBACK,
        forwarded_allow_ips=(LOOPBACK,),
        trusted_proxies=None,
        nginx_host_port=NGINX_PORT,
        app_address_survives_restart=True,
    ),
}

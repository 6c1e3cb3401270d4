"""Rule group 4, this project's own: nginx's upstream must be reachable in the task's network mode."""

import ipaddress
from collections.abc import Iterator
from typing import Any

from ecs.check.model import Problem, containers, environment_of

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
# dependsOn conditions after which a container has its network address.
STARTED = ("START", "HEALTHY")


def check_upstream(task: dict[str, Any]) -> Iterator[Problem]:
    """nginx's upstream host must be reachable in this network mode (a name without a link: the classic mistake)."""
    mode = task.get("networkMode", "bridge")
    for prefix, container in containers(task):
        environment = environment_of(container)
        if "NGINX_UPSTREAM_DISCOVERY" in environment:
            yield from check_discovery(task, prefix, container, mode)
            yield from check_upstream_port(
                task, f"{prefix}.environment.NGINX_UPSTREAM_HOST", environment.get("NGINX_UPSTREAM_PORT"), mode
            )
            continue
        upstream = environment.get("NGINX_UPSTREAM_HOST")
        if upstream is None:
            continue
        field = f"{prefix}.environment.NGINX_UPSTREAM_HOST"
        aliases = {link.split(":")[-1] for link in container.get("links", [])}
        try:
            address = ipaddress.ip_address(upstream)
        except ValueError:
            address = None
        if mode == "awsvpc" and upstream != "127.0.0.1":
            yield Problem(
                field,
                f"{upstream!r}: in awsvpc mode the task's containers share one network "
                "namespace and have no links; use 127.0.0.1, where gunicorn listens",
                "upstream-host",
            )
        elif mode == "bridge" and (upstream in LOOPBACK_NAMES or (address and address.is_loopback)):
            yield Problem(
                field,
                f"{upstream!r}: in bridge mode each container has its own loopback, so nginx "
                'would dial itself; use a link alias (links: ["app"]) or awsvpc mode',
                "upstream-host",
            )
        elif mode == "bridge" and address is None and upstream not in aliases:
            yield Problem(
                field,
                f"{upstream!r} is a name, but bridge mode has no DNS between containers and "
                f"{container.get('name')!r} has no link with that alias: nginx will refuse to start "
                f'with "host not found in upstream". Add "links": ["{upstream}"] to it (or use '
                "awsvpc mode with 127.0.0.1)",
                "upstream-host",
            )
        elif mode == "bridge" and environment_of(container).get("NGINX_UPSTREAM_RESOLVE") == "runtime":
            yield Problem(
                f"{prefix}.environment.NGINX_UPSTREAM_RESOLVE",
                "runtime looks the name up through DNS, which cannot see the /etc/hosts entry a link writes: "
                "every request would get 502. Use start in bridge mode",
                "upstream-resolve",
            )
        yield from check_upstream_port(task, field, environment_of(container).get("NGINX_UPSTREAM_PORT"), mode)


def check_upstream_port(task: dict[str, Any], field: str, port: str | None, mode: str) -> Iterator[Problem]:
    for prefix, container in containers(task):
        bind = environment_of(container).get("GUNICORN_BIND")
        if bind is None:
            continue
        host, _, bind_port = bind.rpartition(":")
        if port is not None and bind_port != port:
            yield Problem(
                field.replace("HOST", "PORT"),
                f"{port} but {prefix} listens on {bind}: use the same port",
                "upstream-port",
            )
        if mode == "bridge" and host in LOOPBACK_NAMES:
            yield Problem(
                f"{prefix}.environment.GUNICORN_BIND",
                f"{bind}: in bridge mode nginx connects over docker0, so gunicorn must listen on 0.0.0.0",
                "upstream-port",
            )


def check_discovery(task: dict[str, Any], prefix: str, container: dict[str, Any], mode: str) -> Iterator[Problem]:
    """Bridge mode by IP: nginx reads a container's address from the task metadata endpoint at start, so that
    container must be named, be another container of the task, and have started before nginx."""
    environment = environment_of(container)
    field = f"{prefix}.environment.NGINX_UPSTREAM_DISCOVERY"
    discovery, target = environment["NGINX_UPSTREAM_DISCOVERY"], environment.get("NGINX_UPSTREAM_CONTAINER")
    if discovery != "ecs-metadata":
        yield Problem(field, f"{discovery!r} is not a way to find the app: use ecs-metadata", "upstream-discovery")
        return
    if mode != "bridge":
        yield Problem(
            field,
            f"reads a bridge address, but in {mode} mode nginx reaches the app at 127.0.0.1: set "
            "NGINX_UPSTREAM_HOST=127.0.0.1 instead",
            "upstream-discovery",
        )
    if "NGINX_UPSTREAM_HOST" in environment:
        yield Problem(
            f"{prefix}.environment.NGINX_UPSTREAM_HOST",
            "is set too: the address read from the task metadata would replace it; keep one of the two",
            "upstream-discovery",
        )
    names = [other.get("name") for _, other in containers(task) if other is not container]
    waits_for = {d.get("containerName") for d in container.get("dependsOn", []) if d.get("condition") in STARTED}
    if target not in names:
        yield Problem(
            f"{prefix}.environment.NGINX_UPSTREAM_CONTAINER",
            f"{target!r} names no other container of this task: name the app's one ({', '.join(map(str, names))})",
            "upstream-discovery",
        )
    elif target not in waits_for:
        yield Problem(
            f"{prefix}.dependsOn",
            f"does not wait for {target!r}: it has no address until it starts, so nginx would find none; add "
            f'{{"containerName": "{target}", "condition": "HEALTHY"}}',
            "upstream-discovery",
        )

"""ecs/check/upstream.py: this project's rule: nginx must reach gunicorn in the task's network mode.

Each case: a broken task definition and the exact error it gets.
"""

from collections.abc import Callable

import pytest

from tests.support.task_definitions import AWSVPC, BRIDGE, P, Task, both, bridge_by_metadata, edit, env_edit, problems


def reverse_containers(task: Task) -> None:
    """A mutation listing nginx before app."""
    task["containerDefinitions"].reverse()


CASES: list[tuple[str, Task, Callable[[Task], None], list[str]]] = [
    (
        "bridge name without link",
        BRIDGE,
        edit("containerDefinitions.1.links", None),
        [
            P + "containerDefinitions[nginx].environment.NGINX_UPSTREAM_HOST: 'app' is a name, but bridge mode has no "
            "DNS between containers and 'nginx' has no link with that alias: nginx will refuse to start with "
            '"host not found in upstream". Add "links": ["app"] to it (or use awsvpc mode with 127.0.0.1) '
            "[upstream-host]"
        ],
    ),
    (
        "bridge loopback",
        BRIDGE,
        env_edit(1, "NGINX_UPSTREAM_HOST", "127.0.0.1"),
        [
            P
            + "containerDefinitions[nginx].environment.NGINX_UPSTREAM_HOST: '127.0.0.1': in bridge mode each container "
            'has its own loopback, so nginx would dial itself; use a link alias (links: ["app"]) or awsvpc mode '
            "[upstream-host]"
        ],
    ),
    (
        "awsvpc name",
        AWSVPC,
        env_edit(1, "NGINX_UPSTREAM_HOST", "app"),
        [
            P + "containerDefinitions[nginx].environment.NGINX_UPSTREAM_HOST: 'app': in awsvpc mode the task's "
            "containers share one network namespace and have no links; use 127.0.0.1, where gunicorn listens "
            "[upstream-host]"
        ],
    ),
    (
        "awsvpc localhost",
        AWSVPC,
        env_edit(1, "NGINX_UPSTREAM_HOST", "localhost"),
        [
            P + "containerDefinitions[nginx].environment.NGINX_UPSTREAM_HOST: 'localhost': in awsvpc mode the task's "
            "containers share one network namespace and have no links; use 127.0.0.1, where gunicorn listens "
            "[upstream-host]"
        ],
    ),
    (
        "bridge runtime resolution",
        BRIDGE,
        env_edit(1, "NGINX_UPSTREAM_RESOLVE", "runtime"),
        [
            P + "containerDefinitions[nginx].environment.NGINX_UPSTREAM_RESOLVE: runtime looks the name up through "
            "DNS, which cannot see the /etc/hosts entry a link writes: every request would get 502. Use start in "
            "bridge mode [upstream-resolve]"
        ],
    ),
    (
        "upstream port",
        AWSVPC,
        env_edit(1, "NGINX_UPSTREAM_PORT", "9000"),
        [
            P
            + "containerDefinitions[nginx].environment.NGINX_UPSTREAM_PORT: 9000 but containerDefinitions[app] listens "
            "on 127.0.0.1:8000: use the same port [upstream-port]"
        ],
    ),
    (
        "bridge loopback bind",
        BRIDGE,
        env_edit(0, "GUNICORN_BIND", "127.0.0.1:8000"),
        [
            P
            + "containerDefinitions[app].environment.GUNICORN_BIND: 127.0.0.1:8000: in bridge mode nginx connects over "
            "docker0, so gunicorn must listen on 0.0.0.0 [upstream-port]"
        ],
    ),
    (
        "bridge loopback address",
        BRIDGE,
        env_edit(1, "NGINX_UPSTREAM_HOST", "127.0.0.2"),
        [
            P
            + "containerDefinitions[nginx].environment.NGINX_UPSTREAM_HOST: '127.0.0.2': in bridge mode each container "
            'has its own loopback, so nginx would dial itself; use a link alias (links: ["app"]) or awsvpc mode '
            "[upstream-host]"
        ],
    ),
    (
        "bridge localhost",
        BRIDGE,
        env_edit(1, "NGINX_UPSTREAM_HOST", "localhost"),
        [
            P
            + "containerDefinitions[nginx].environment.NGINX_UPSTREAM_HOST: 'localhost': in bridge mode each container "
            'has its own loopback, so nginx would dial itself; use a link alias (links: ["app"]) or awsvpc mode '
            "[upstream-host]"
        ],
    ),
    (
        "default network mode is bridge",
        BRIDGE,
        both(edit("networkMode", None), edit("containerDefinitions.1.links", None)),
        [
            P + "containerDefinitions[nginx].environment.NGINX_UPSTREAM_HOST: 'app' is a name, but bridge mode has no "
            "DNS between containers and 'nginx' has no link with that alias: nginx will refuse to start with "
            '"host not found in upstream". Add "links": ["app"] to it (or use awsvpc mode with 127.0.0.1) '
            "[upstream-host]"
        ],
    ),
    (
        "upstream port with gunicorn listed last",
        AWSVPC,
        both(reverse_containers, env_edit(0, "NGINX_UPSTREAM_PORT", "9000")),
        [
            P
            + "containerDefinitions[nginx].environment.NGINX_UPSTREAM_PORT: 9000 but containerDefinitions[app] listens "
            "on 127.0.0.1:8000: use the same port [upstream-port]"
        ],
    ),
    (
        "link with an alias",
        BRIDGE,
        both(edit("containerDefinitions.1.links", ["app:backend"]), env_edit(1, "NGINX_UPSTREAM_HOST", "backend")),
        [],
    ),
    ("bridge address of another container", BRIDGE, env_edit(1, "NGINX_UPSTREAM_HOST", "172.17.0.5"), []),
    ("gunicorn on every IPv6 address", BRIDGE, env_edit(0, "GUNICORN_BIND", "[::]:8000"), []),
]


@pytest.mark.parametrize(("base", "mutate", "expected"), [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_rule(base: Task, mutate: Callable[[Task], None], expected: list[str]) -> None:
    """One broken field, exactly the expected errors."""
    assert problems(base, mutate) == expected


def test_bridge_by_metadata_is_clean() -> None:
    """The metadata way passes: no link, no host, the app named, and nginx waiting for it."""
    assert problems(bridge_by_metadata(), lambda _task: None) == []


DISCOVERY_CASES: list[tuple[str, Callable[[Task], None], list[str]]] = [
    (
        "unknown way",
        env_edit(1, "NGINX_UPSTREAM_DISCOVERY", "dns"),
        [
            P + "containerDefinitions[nginx].environment.NGINX_UPSTREAM_DISCOVERY: 'dns' is not a way to find the "
            "app: use ecs-metadata [upstream-discovery]"
        ],
    ),
    (
        "host set too",
        env_edit(1, "NGINX_UPSTREAM_HOST", "app"),
        [
            P + "containerDefinitions[nginx].environment.NGINX_UPSTREAM_HOST: is set too: the address read from the "
            "task metadata would replace it; keep one of the two [upstream-discovery]"
        ],
    ),
    (
        "unknown container",
        env_edit(1, "NGINX_UPSTREAM_CONTAINER", "web"),
        [
            P + "containerDefinitions[nginx].environment.NGINX_UPSTREAM_CONTAINER: 'web' names no other container of "
            "this task: name the app's one (app) [upstream-discovery]"
        ],
    ),
    (
        "no wait for the app",
        edit("containerDefinitions.1.dependsOn", None),
        [
            P + "containerDefinitions[nginx].dependsOn: does not wait for 'app': it has no address until it starts, "
            'so nginx would find none; add {"containerName": "app", "condition": "HEALTHY"} [upstream-discovery]'
        ],
    ),
    (
        "in awsvpc mode",
        both(edit("networkMode", "awsvpc"), edit("containerDefinitions.1.portMappings.0.hostPort", 8080)),
        [
            P + "containerDefinitions[nginx].environment.NGINX_UPSTREAM_DISCOVERY: reads a bridge address, but in "
            "awsvpc mode nginx reaches the app at 127.0.0.1: set NGINX_UPSTREAM_HOST=127.0.0.1 instead "
            "[upstream-discovery]"
        ],
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"), [case[1:] for case in DISCOVERY_CASES], ids=[c[0] for c in DISCOVERY_CASES]
)
def test_discovery_rule(mutate: Callable[[Task], None], expected: list[str]) -> None:
    """One broken field of the metadata way, exactly the expected errors."""
    assert problems(bridge_by_metadata(), mutate) == expected

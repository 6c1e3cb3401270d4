"""nginx/docker-entrypoint.d/19-upstream-from-ecs-metadata.envsh: the app's bridge address from the task metadata.

The script is sourced as the nginx image's entrypoint sources it, against a local server answering with the
documented v4 task response for bridge mode.
"""

import shutil
import subprocess

import pytest

from tests.support.ecs_metadata import as_json, bridge_task_response
from tests.support.http_server import serving
from tests.support.paths import REPO

pytestmark = pytest.mark.e2e

SCRIPT = REPO / "nginx" / "docker-entrypoint.d" / "19-upstream-from-ecs-metadata.envsh"
DISCOVERING = {"NGINX_UPSTREAM_DISCOVERY": "ecs-metadata", "ECS_CONTAINER_METADATA_URI_V4": "{url}/v4/abc"}


def source(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Sources the script in sh, as the entrypoint does, then prints the NGINX_UPSTREAM_HOST it exported."""
    if shutil.which("curl") is None:
        pytest.skip("the script needs curl, as the nginx images have it: apt-get install curl")
    return subprocess.run(
        ["sh", "-c", f'. {SCRIPT}; echo "host=$NGINX_UPSTREAM_HOST"'],
        env={"PATH": "/usr/bin:/bin", **environment},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_exports_the_app_containers_bridge_address() -> None:
    """From the documented bridge-mode task response, the container named app gives NGINX_UPSTREAM_HOST."""
    response = as_json(bridge_task_response({"nginx": "172.17.0.3", "app": "172.17.0.2"}))
    with serving(response, content_type="application/json") as url:
        result = source(
            {
                "NGINX_UPSTREAM_DISCOVERY": "ecs-metadata",
                "NGINX_UPSTREAM_CONTAINER": "app",
                "NGINX_UPSTREAM_HOST": "app",  # the image's default, which discovery replaces
                "ECS_CONTAINER_METADATA_URI_V4": f"{url}/v4/abc",
            }
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "host=172.17.0.2\n"
    assert "NGINX_UPSTREAM_HOST=172.17.0.2, the address of 'app' in the task metadata" in result.stderr


def test_does_nothing_without_discovery() -> None:
    """Without NGINX_UPSTREAM_DISCOVERY the script returns at once and NGINX_UPSTREAM_HOST stays as set."""
    result = source({"NGINX_UPSTREAM_HOST": "app"})
    assert (result.returncode, result.stdout, result.stderr) == (0, "host=app\n", "")


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        (
            {"NGINX_UPSTREAM_DISCOVERY": "dns"},
            "NGINX_UPSTREAM_DISCOVERY='dns' is not a way to find the app: use ecs-metadata",
        ),
        (
            {"NGINX_UPSTREAM_DISCOVERY": "ecs-metadata"},
            "NGINX_UPSTREAM_DISCOVERY=ecs-metadata needs ECS_CONTAINER_METADATA_URI_V4, which ECS (and ecs-task "
            "run-local) sets in every container",
        ),
        (
            {
                "NGINX_UPSTREAM_DISCOVERY": "ecs-metadata",
                "ECS_CONTAINER_METADATA_URI_V4": "{url}",
                "NGINX_UPSTREAM_CONTAINER": "a b",
            },
            "NGINX_UPSTREAM_CONTAINER='a b' must name the app's container",
        ),
        (
            {
                "NGINX_UPSTREAM_DISCOVERY": "ecs-metadata",
                "ECS_CONTAINER_METADATA_URI_V4": "{url}",
                "NGINX_UPSTREAM_CONTAINER": "web",
            },
            "the task metadata lists no container named 'web' (NGINX_UPSTREAM_CONTAINER); it lists: nginx app",
        ),
    ],
)
def test_refusals_name_the_variable_and_stop_start_up(environment: dict[str, str], message: str) -> None:
    """Each bad input stops the entrypoint (exit 1) with the variable and the fix; nothing is exported."""
    response = as_json(bridge_task_response({"nginx": "172.17.0.3", "app": "172.17.0.2"}))
    with serving(response, content_type="application/json") as url:
        result = source({name: value.format(url=url) for name, value in environment.items()})
    assert result.returncode == 1
    assert f"19-upstream-from-ecs-metadata.envsh: ERROR: {message}" in result.stderr
    assert "host=" not in result.stdout


def test_gives_up_when_the_app_never_gets_an_address() -> None:
    """An app listed without an address (not started) fails after the retries, saying it must start first."""
    response = as_json(bridge_task_response({"nginx": "172.17.0.3", "app": ""}))
    with serving(response, content_type="application/json") as url:
        result = source(
            {
                "NGINX_UPSTREAM_DISCOVERY": "ecs-metadata",
                "NGINX_UPSTREAM_CONTAINER": "app",
                "ECS_CONTAINER_METADATA_URI_V4": f"{url}/v4/abc",
            }
        )
    assert result.returncode == 1
    assert "container 'app' has no IPv4 address in the task metadata yet: it must start before nginx" in result.stderr

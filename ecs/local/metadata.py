"""The ECS task metadata endpoint v4, served locally to the containers that run-local starts.

ECS gives every container ECS_CONTAINER_METADATA_URI_V4: `${ECS_CONTAINER_METADATA_URI_V4}` answers for the
container, `/task` for the task, with every container's name, Docker id, image, limits, known status and
networks. run-local serves the same documented JSON shape from this process, on the address of Docker's
default bridge on this host (which every task container reaches, in bridge and in awsvpc mode), with the
real addresses Docker gave the containers. The answers are read from Docker at each request.
"""

import json
import secrets
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from ecs.local.containers import RunLocalError

if TYPE_CHECKING:
    import docker

# ECS's container states, from Docker's.
KNOWN_STATUS = {"created": "CREATED", "running": "RUNNING", "restarting": "RUNNING", "paused": "RUNNING"}


def known_status(attrs: dict[str, Any] | None) -> str:
    """NONE before Docker has the container, then CREATED, RUNNING or STOPPED."""
    if attrs is None:
        return "NONE"
    return KNOWN_STATUS.get(attrs["State"]["Status"], "STOPPED")


def bridge_address(attrs: dict[str, Any] | None) -> str | None:
    """The container's IPv4 address on Docker's default bridge, once it has one."""
    if attrs is None:
        return None
    address = attrs["NetworkSettings"]["Networks"].get("bridge", {}).get("IPAddress")
    return str(address) if address else None


def container_metadata(
    definition: dict[str, Any], attrs: dict[str, Any] | None, mode: str, task_address: str | None
) -> dict[str, Any]:
    """One container as the v4 endpoint describes it. In awsvpc mode its address is the task's (the ENI's)."""
    metadata: dict[str, Any] = {
        "Name": definition["name"],
        "Image": definition["image"],
        "DesiredStatus": "RUNNING",
        "KnownStatus": known_status(attrs),
        "Limits": {"CPU": definition.get("cpu", 0), "Memory": definition.get("memory", 0)},
        "Type": "NORMAL",
    }
    if attrs is None:
        return metadata
    state = attrs["State"]
    metadata |= {
        "DockerId": attrs["Id"],
        "DockerName": attrs["Name"].lstrip("/"),
        "ImageID": attrs["Image"],
        "Labels": attrs["Config"].get("Labels") or {},
        "CreatedAt": attrs["Created"],
    }
    if metadata["KnownStatus"] in ("RUNNING", "STOPPED"):
        metadata["StartedAt"] = state["StartedAt"]
    if metadata["KnownStatus"] == "STOPPED":
        metadata |= {"FinishedAt": state["FinishedAt"], "ExitCode": state["ExitCode"]}
    address = task_address if mode == "awsvpc" else bridge_address(attrs)
    metadata["Networks"] = [{"NetworkMode": mode, "IPv4Addresses": [address] if address else []}]
    return metadata


def task_metadata(
    task: dict[str, Any],
    attrs_by_name: dict[str, dict[str, Any] | None],
    run_id: str,
    task_address: str | None,
) -> dict[str, Any]:
    """The task as the v4 endpoint's /task describes it, with every container of the definition."""
    mode = task.get("networkMode", "bridge")
    containers = [
        container_metadata(definition, attrs_by_name.get(definition["name"]), mode, task_address)
        for definition in task["containerDefinitions"]
    ]
    statuses = {container["KnownStatus"] for container in containers}
    return {
        "Cluster": "run-local",
        "TaskARN": f"arn:aws:ecs:local:000000000000:task/run-local/{run_id}",
        "Family": task["family"],
        "Revision": "0",
        "DesiredStatus": "RUNNING",
        "KnownStatus": "RUNNING" if statuses == {"RUNNING"} else "PENDING",
        "Limits": {"CPU": int(task.get("cpu", 0)) / 1024, "Memory": int(task.get("memory", 0))},
        "LaunchType": "EC2",
        "AvailabilityZone": "local",
        "Containers": containers,
    }


class MetadataServer:
    """Serves /v4/<token> and /v4/<token>/task for each container; `describe` reads the task from Docker."""

    def __init__(self, address: str, describe: Callable[[str | None], Any]) -> None:
        self.tokens: dict[str, str] = {}
        self.address = address
        self.describe = describe
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.answer(self)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: run-local prints its own progress."""

        self.httpd = ThreadingHTTPServer((address, 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="ecs-metadata", daemon=True)

    def uri_for(self, container_name: str) -> str:
        """The ECS_CONTAINER_METADATA_URI_V4 of one container."""
        token = secrets.token_hex(8)
        self.tokens[token] = container_name
        return f"http://{self.address}:{self.httpd.server_port}/v4/{token}"

    def answer(self, request: BaseHTTPRequestHandler) -> None:
        parts = request.path.strip("/").split("/")
        name = self.tokens.get(parts[1]) if len(parts) >= 2 and parts[0] == "v4" else None
        if name is None or len(parts) > 3 or (len(parts) == 3 and parts[2] != "task"):
            body, status = {"error": f"no metadata at {request.path}"}, HTTPStatus.NOT_FOUND
        else:
            try:
                body, status = self.describe(None if len(parts) == 3 else name), HTTPStatus.OK
            except Exception as error:  # noqa: BLE001 - Docker can fail mid-request; the caller gets a clear 503
                body = {"error": f"Docker did not describe the task: {type(error).__name__}: {error}"}
                status = HTTPStatus.SERVICE_UNAVAILABLE
        payload = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def serve_metadata(
    client: "docker.DockerClient", describe: Callable[[str | None], Any], needed_by: list[str]
) -> MetadataServer | None:
    """The task metadata endpoint, on the address of Docker's default bridge, which every container reaches.

    Where this machine cannot serve there (Docker Desktop, rootless or remote engines), the containers go
    without ECS_CONTAINER_METADATA_URI_V4, unless one needs it (`needed_by`): then run-local stops, naming it.
    """
    try:
        gateway = client.networks.get("bridge").attrs["IPAM"]["Config"][0]["Gateway"]
        server = MetadataServer(gateway, describe)
    except (KeyError, IndexError, OSError) as error:
        reason = error.strerror if isinstance(error, OSError) else "Docker's default bridge names no gateway"
        if needed_by:
            raise RunLocalError(
                f"{', '.join(needed_by)} read the task metadata endpoint (NGINX_UPSTREAM_DISCOVERY), which run-local "
                f"serves on Docker's default bridge on this machine, and that failed ({reason}): run-local needs a "
                "local Docker engine for it; use --bridge-upstream links"
            ) from None
        return None
    server.start()
    return server

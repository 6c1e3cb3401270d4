"""A task metadata endpoint v4 answer in the documented shape, for tests of the code that reads one."""

import json
from typing import Any


def bridge_task_response(addresses: dict[str, str]) -> dict[str, Any]:
    """`${ECS_CONTAINER_METADATA_URI_V4}/task` for an EC2 task in bridge mode; `addresses`: name -> bridge IPv4."""
    containers = [
        {
            "DockerId": f"{index:064x}",
            "Name": name,
            "DockerName": f"ecs-myapp-prod-7-{name}-a1b2c3d4e5f6",
            "Image": f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/myapp-{name}:prod",
            "ImageID": f"sha256:{index:064x}",
            "Labels": {
                "com.amazonaws.ecs.cluster": "production",
                "com.amazonaws.ecs.container-name": name,
                "com.amazonaws.ecs.task-definition-family": "myapp-prod",
                "note": 'a "quoted", {braced} [bracketed] value',
            },
            "DesiredStatus": "RUNNING",
            "KnownStatus": "RUNNING",
            "Limits": {"CPU": 0, "Memory": 256},
            "CreatedAt": "2026-11-22T04:00:00.000000000Z",
            "StartedAt": "2026-11-22T04:00:01.000000000Z",
            "Type": "NORMAL",
            "LogDriver": "awslogs",
            "LogOptions": {"awslogs-group": "/ecs/myapp-prod", "awslogs-region": "eu-west-1"},
            "ContainerARN": f"arn:aws:ecs:eu-west-1:123456789012:container/production/{index}",
            "Networks": [{"NetworkMode": "bridge", "IPv4Addresses": [address]}] if address else [],
        }
        for index, (name, address) in enumerate(addresses.items(), start=1)
    ]
    return {
        "Cluster": "production",
        "TaskARN": "arn:aws:ecs:eu-west-1:123456789012:task/production/0123456789abcdef",
        "Family": "myapp-prod",
        "Revision": "7",
        "DesiredStatus": "RUNNING",
        "KnownStatus": "RUNNING",
        "Containers": containers,
        "Limits": {"CPU": 1, "Memory": 2048},
        "PullStartedAt": "2026-11-22T03:59:58.000000000Z",
        "PullStoppedAt": "2026-11-22T03:59:59.000000000Z",
        "AvailabilityZone": "eu-west-1a",
        "LaunchType": "EC2",
    }


def as_json(response: dict[str, Any]) -> bytes:
    return json.dumps(response, indent=2).encode()

"""ecs/check/observability.py: health checks on essential containers, and complete awslogs options."""

from tests.support.task_definitions import AWSVPC, BRIDGE, P, both, edit, problems


def test_every_essential_container_has_a_health_check() -> None:
    """An essential container without a healthCheck is refused; a non-essential one may go without."""
    assert problems(BRIDGE, edit("containerDefinitions.1.healthCheck", None)) == [
        P + "containerDefinitions[nginx].healthCheck: is missing on an essential container: without it ECS sees a "
        "hung process as healthy and never replaces the task; add a command that probes it [health-check]"
    ]
    assert (
        problems(
            BRIDGE,
            both(edit("containerDefinitions.1.healthCheck", None), edit("containerDefinitions.1.essential", False)),
        )
        == []
    )


def test_awslogs_needs_group_region_and_on_fargate_a_stream_prefix() -> None:
    """Each missing or empty awslogs option is named; the stream prefix only where Fargate requires it."""
    assert problems(
        AWSVPC,
        both(
            edit("containerDefinitions.0.logConfiguration.options.awslogs-group", None),
            edit("containerDefinitions.0.logConfiguration.options.awslogs-region", ""),
            edit("containerDefinitions.1.logConfiguration.options.awslogs-stream-prefix", None),
        ),
    ) == [
        P + "containerDefinitions[app].logConfiguration.options.awslogs-group: is missing: the awslogs driver needs "
        "the log group and its region [awslogs]",
        P + "containerDefinitions[app].logConfiguration.options.awslogs-region: is missing: the awslogs driver needs "
        "the log group and its region [awslogs]",
        P + "containerDefinitions[nginx].logConfiguration.options.awslogs-stream-prefix: is missing: on Fargate the "
        "awslogs driver needs a stream prefix [awslogs]",
    ]


def test_the_stream_prefix_is_optional_on_ec2() -> None:
    """On EC2 the awslogs streams are named by container id without a prefix: no problem."""
    assert problems(BRIDGE, edit("containerDefinitions.1.logConfiguration.options.awslogs-stream-prefix", None)) == []


def test_other_log_drivers_are_not_held_to_awslogs_options() -> None:
    """A container logging elsewhere (here json-file) needs no awslogs options."""
    assert problems(AWSVPC, edit("containerDefinitions.0.logConfiguration", {"logDriver": "json-file"})) == []

"""How many awsvpc tasks fit on an EC2 instance type: each task takes one ENI (`RESOURCE:ENI` otherwise).

Without ENI trunking an instance gives awsvpc tasks all its ENIs but the primary one. The table holds the
maximum network interfaces of common types, from EC2's DescribeInstanceTypes (NetworkInfo.
MaximumNetworkInterfaces, as published in aws/amazon-vpc-cni-k8s vpc_ip_resource_limit.go). For another
type: `aws ec2 describe-instance-types --instance-types TYPE --query
'InstanceTypes[].NetworkInfo.MaximumNetworkInterfaces'`. With trunking (awsvpcTrunking, not on T types)
the limits are much higher: see "ENI trunking" in the ECS developer guide.
"""

from dataclasses import dataclass

MAX_ENIS = {
    "t2.micro": 2, "t2.small": 3, "t2.medium": 3, "t2.large": 3,
    "t3.micro": 2, "t3.small": 3, "t3.medium": 3, "t3.large": 3, "t3.xlarge": 4,
    "t3a.micro": 2, "t3a.small": 2, "t3a.medium": 3,
    "m5.large": 3, "m5.xlarge": 4, "m5.2xlarge": 4, "m5.4xlarge": 8,
    "m6i.large": 3, "m6i.xlarge": 4,
    "m7g.large": 3,
    "c5.large": 3, "c5.xlarge": 4, "c5.2xlarge": 4,
    "c6i.large": 3,
    "r5.large": 3, "r5.xlarge": 4,
}  # fmt: skip

# Exit codes of `ecs-task capacity`.
FITS, DOES_NOT_FIT, UNKNOWN = 0, 1, 2


@dataclass(frozen=True)
class Capacity:
    instance_type: str
    max_enis: int

    @property
    def awsvpc_tasks(self) -> int:
        """The primary ENI belongs to the instance; every other one can hold one awsvpc task."""
        return self.max_enis - 1


def answer(instance_type: str, tasks: int, mode: str) -> tuple[int, str]:
    """The exit code and the sentence for `capacity --instance-type T --tasks N --mode M`."""
    if mode == "bridge":
        return FITS, (
            f"bridge mode shares the instance's network: tasks take no ENI of their own, so ENI "
            f"limits do not bound {tasks} task(s) on {instance_type} (CPU, memory and ports do)."
        )
    if instance_type not in MAX_ENIS:
        return UNKNOWN, (
            f"{instance_type}: unknown instance type, not guessed. Look up its maximum network "
            f"interfaces (aws ec2 describe-instance-types --instance-types {instance_type}) and add "
            "it to MAX_ENIS in ecs/capacity.py."
        )
    capacity = Capacity(instance_type, MAX_ENIS[instance_type])
    summary = (
        f"{instance_type}: {capacity.max_enis} ENIs, one is the instance's own, so {capacity.awsvpc_tasks} "
        f"awsvpc task(s) fit without ENI trunking"
    )
    if tasks <= capacity.awsvpc_tasks:
        return FITS, f"{summary}: {tasks} fit."
    return DOES_NOT_FIT, (
        f"{summary}: {tasks} do not fit; placement would fail with RESOURCE:ENI. Use a larger "
        "type, more instances, bridge mode, or ENI trunking (not on T types)."
    )

"""Regenerates ecs/data/eni_limits.csv from the ECS guide's trunking table and amazon-vpc-cni-k8s's ENI limits."""

import argparse
import csv
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from ecs.capacity import COLUMNS, CONTRADICTED, ENI_LIMITS, INVALID, LISTED, NOT_LISTED, UNSUPPORTED
from ecs.files import write_atomically

# The ECS guide's repository was archived in June 2023: its last commit with content never changes.
ECS_GUIDE_COMMIT = "49232cf2ab3bbe78781a45fb1a4c4cf7eee8790a"
# Where the T-type rule below was checked; the generator does not read that file.
RESOURCE_CONTROLLER_COMMIT = "58c8559e6486e4c04453a5a5239ce1df0da10b30"
# A row of the guide's table: `| c5\.large | 2 | 10 |`, Markdown-escaped; the figure may be malformed (`\-2`).
TABLE_ROW = re.compile(r"^\|\s*([a-z0-9][a-z0-9\\.-]*\\?\.[a-z0-9\\-]+)\s*\|\s*(\d+)\s*\|\s*([^|]*?)\s*\|\s*$")
BACKTICKED = re.compile(r"`([^`]+)`")
GO_ENTRY = re.compile(r'^\t"([^"]+)": \{$')
# Within a card, gofmt writes MaximumNetworkInterfaces before NetworkCardIndex (the struct's field order).
GO_FIELD = re.compile(r"^\s*(ENILimit|DefaultNetworkCardIndex|MaximumNetworkInterfaces|NetworkCardIndex):\s*(\d+),$")
# Burstable types never trunk; amazon-vpc-resource-controller-k8s marks every T type IsTrunkingCompatible: false.
BURSTABLE = re.compile(r"t\d")


class SourceError(ValueError):
    """A source file is not what the generator expects; the message names it."""


@dataclass(frozen=True)
class GuideTable:
    """What the ECS guide's ENI trunking page states, per type and per family."""

    without_trunking: dict[str, int]
    # The table's trunking figure as written: "-2" is kept so that it can be refused, not read as a number.
    with_trunking: dict[str, str]
    unsupported_types: frozenset[str]
    unsupported_families: frozenset[str]


def parse_guide(text: str, source: str) -> GuideTable:
    """The per-type table and the not-supported lists of container-instance-eni.md."""
    without: dict[str, int] = {}
    with_trunking: dict[str, str] = {}
    unsupported_types: set[str] = set()
    unsupported_families: set[str] = set()
    for line in text.splitlines():
        if row := TABLE_ROW.match(line):
            name = row[1].replace("\\", "")
            without[name] = int(row[2])
            with_trunking[name] = row[3].replace("\\", "")
        elif "instance types are not supported" in line:
            unsupported_types.update(name.replace("\\", "") for name in BACKTICKED.findall(line))
        elif "instance families are not supported" in line:
            unsupported_families.update(name.replace("\\", "") for name in BACKTICKED.findall(line))
    if not without:
        raise SourceError(
            f"{source}: no per-type task limit table found: pass doc_source/container-instance-eni.md "
            f"of awsdocs/amazon-ecs-developer-guide at {ECS_GUIDE_COMMIT}."
        )
    return GuideTable(without, with_trunking, frozenset(unsupported_types), frozenset(unsupported_families))


@dataclass(frozen=True)
class NetworkCards:
    """One type's ENI limits in amazon-vpc-cni-k8s: ENILimit, each card's maximum, and the default card's."""

    eni_limit: int
    per_card: tuple[int, ...]
    first_card: int

    @property
    def max_enis(self) -> int:
        """Every card's ENIs, summed: what ECS could use if it places awsvpc tasks on every card. The guide's
        figures sum them for some types (p4d.24xlarge: 4 x 15 - 1) but not for others (m6in.32xlarge: 13, not
        2 x 8 - 1), so for a type it does not list this is only an upper bound."""
        return sum(self.per_card) if self.per_card else self.eni_limit


def network_cards(name: str, eni_limit: int, default: int, cards: list[list[int]], source: str) -> NetworkCards:
    """A type's cards ([maximum ENIs, index] each); the first card is the DefaultNetworkCardIndex one."""
    if not cards:
        return NetworkCards(eni_limit, (), eni_limit)
    first = [maximum for maximum, index in cards if index == default]
    if not first:
        raise SourceError(f"{source}: {name} has no network card {default}, its DefaultNetworkCardIndex.")
    return NetworkCards(eni_limit, tuple(maximum for maximum, _ in cards), first[0])


def parse_vpc_cni(text: str, source: str) -> dict[str, NetworkCards]:
    """Each type's ENILimit and MaximumNetworkInterfaces per network card, from vpc_ip_resource_limit.go."""
    eni_limit: dict[str, int] = {}
    default_card: dict[str, int] = {}
    per_card: dict[str, list[list[int]]] = {}
    current = ""
    for line in text.splitlines():
        if entry := GO_ENTRY.match(line):
            current = entry[1]
            per_card[current] = []
        elif current and (field := GO_FIELD.match(line)):
            name, value, cards = field[1], int(field[2]), per_card[current]
            if name == "ENILimit":
                eni_limit[current] = value
            elif name == "DefaultNetworkCardIndex":
                default_card[current] = value
            elif name == "MaximumNetworkInterfaces":
                cards.append([value, len(cards)])
            elif cards:
                cards[-1][1] = value
    if not per_card:
        raise SourceError(
            f"{source}: no instance types found: pass pkg/vpc/vpc_ip_resource_limit.go of aws/amazon-vpc-cni-k8s."
        )
    if missing := sorted(per_card.keys() - eni_limit.keys()):
        raise SourceError(f"{source}: no ENILimit for {', '.join(missing)}: is it vpc_ip_resource_limit.go?")
    return {
        name: network_cards(name, eni_limit[name], default_card.get(name, 0), cards, source)
        for name, cards in per_card.items()
    }


def unsupported_in_guide(instance_type: str, guide: GuideTable) -> str:
    """The name under which the guide lists the type as not supported (the type, or its family), or ""."""
    family = instance_type.split(".")[0]
    if instance_type in guide.unsupported_types:
        return instance_type
    return f"{family} family" if family in guide.unsupported_families else ""


def row(instance_type: str, guide: GuideTable, vpc_cni: dict[str, NetworkCards]) -> dict[str, str]:
    """One CSV row: the guide's figures where it lists the type, the first and the summed network cards."""
    cards = vpc_cni.get(instance_type)
    unsupported = unsupported_in_guide(instance_type, guide)
    listed = instance_type in guide.without_trunking
    with_trunking = guide.with_trunking.get(instance_type, "")
    if listed:
        without = guide.without_trunking[instance_type]
        if not with_trunking.isdigit() or int(with_trunking) == 0:
            trunking, with_trunking = INVALID, ""
        else:
            trunking = CONTRADICTED if unsupported else LISTED
    else:
        # The primary ENI is the instance's own; each other one on the first card holds one task. Other cards'
        # ENIs may hold more (up to max_enis - 1), which the sources do not settle: ecs/capacity.py says so.
        without = cards.first_card - 1 if cards else 0
        trunking = UNSUPPORTED if unsupported or BURSTABLE.match(instance_type) else NOT_LISTED
    sources = [name for name, present in (("ecs-guide", listed), ("vpc-cni", cards is not None)) if present]
    return {
        "instance_type": instance_type,
        "max_enis": str(cards.max_enis) if cards else "",
        "network_cards": str(len(cards.per_card) or 1) if cards else "",
        "first_card_enis": str(cards.first_card) if cards else "",
        "awsvpc_tasks_without_trunking": str(without),
        "awsvpc_tasks_with_trunking": with_trunking,
        "trunking": trunking,
        "unsupported_in_guide": unsupported,
        "sources": "+".join(sources),
    }


def header(vpc_cni_commit: str) -> str:
    """The comment lines that name both sources and the command that wrote the file."""
    return (
        "# awsvpc task limits per EC2 instance type, for `ecs-task capacity` (ecs/capacity.py). Generated.\n"
        "# Source ecs-guide, the task limits without and with ENI trunking (awsvpcTrunking):\n"
        "#   github.com/awsdocs/amazon-ecs-developer-guide doc_source/container-instance-eni.md\n"
        f"#   at {ECS_GUIDE_COMMIT}\n"
        "# Source vpc-cni, each type's maximum ENIs per network card (EC2 DescribeInstanceTypes):\n"
        "#   github.com/aws/amazon-vpc-cni-k8s pkg/vpc/vpc_ip_resource_limit.go\n"
        f"#   at {vpc_cni_commit}\n"
        "# max_enis sums every card's; first_card_enis is the DefaultNetworkCardIndex card's.\n"
        "# awsvpc_tasks_without_trunking is the guide's figure, else first_card_enis - 1, which is certain; a type\n"
        "#   with several cards may hold up to max_enis - 1, which the sources do not settle.\n"
        "# T types never trunk: github.com/aws/amazon-vpc-resource-controller-k8s pkg/aws/vpc/limits.go\n"
        f"#   at {RESOURCE_CONTROLLER_COMMIT} marks every one IsTrunkingCompatible false.\n"
        "# Regenerate, with both files fetched into DIR (docs/ecs.md, capacity):\n"
        "#   .venv/bin/python -m ecs.data.generate_eni_limits DIR/container-instance-eni.md\n"
        f"#   DIR/vpc_ip_resource_limit.go --vpc-cni-commit {vpc_cni_commit}\n"
    )


def eni_limits_csv(guide: GuideTable, vpc_cni: dict[str, NetworkCards], vpc_cni_commit: str) -> str:
    """The whole file: the header comment, the column names, one row per type of either source, sorted."""
    out = io.StringIO()
    out.write(header(vpc_cni_commit))
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for instance_type in sorted(guide.without_trunking.keys() | vpc_cni.keys()):
        writer.writerow(row(instance_type, guide, vpc_cni))
    return out.getvalue()


def agreement(guide: GuideTable, vpc_cni: dict[str, NetworkCards]) -> str:
    """How often the guide's figure is ENILimit - 1, how its multi-card figures compare with the summed cards, and
    how many multi-card types it does not list (answered with a range)."""
    both = sorted(guide.without_trunking.keys() & vpc_cni.keys())
    misses = [name for name in both if vpc_cni[name].eni_limit - 1 != guide.without_trunking[name]]
    multi_card = [name for name in both if len(vpc_cni[name].per_card) > 1]
    summed = [name for name in multi_card if vpc_cni[name].max_enis - 1 == guide.without_trunking[name]]
    ranged = [
        name
        for name, cards in vpc_cni.items()
        if name not in guide.without_trunking and cards.max_enis > cards.first_card
    ]
    return (
        f"the guide lists {len(guide.without_trunking)} types, amazon-vpc-cni-k8s {len(vpc_cni)}; ENILimit - 1 "
        f"matched the guide for {len(both) - len(misses)} of {len(both)}; the guide's figure is the summed cards - 1 "
        f"for {len(summed)} of its {len(multi_card)} multi-card types; {len(ranged)} multi-card types it does not "
        "list get a range"
    )


def main(argv: list[str] | None = None) -> int:
    arguments = argparse.ArgumentParser(description=__doc__)
    arguments.add_argument("guide", help="container-instance-eni.md of awsdocs/amazon-ecs-developer-guide")
    arguments.add_argument("vpc_cni", help="vpc_ip_resource_limit.go of aws/amazon-vpc-cni-k8s")
    arguments.add_argument("--vpc-cni-commit", required=True, help="the amazon-vpc-cni-k8s commit the file is from")
    arguments.add_argument("--out", default=str(ENI_LIMITS), help="where to write (default: %(default)s)")
    args = arguments.parse_args(argv)
    try:
        guide = parse_guide(Path(args.guide).read_text(), args.guide)
        vpc_cni = parse_vpc_cni(Path(args.vpc_cni).read_text(), args.vpc_cni)
        text = eni_limits_csv(guide, vpc_cni, args.vpc_cni_commit)
        write_atomically(Path(args.out), text)
    except (OSError, SourceError) as error:
        print(f"generate_eni_limits: {error}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}: {agreement(guide, vpc_cni)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

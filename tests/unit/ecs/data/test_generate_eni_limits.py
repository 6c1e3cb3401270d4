"""ecs/data/eni_limits.csv and its generator: both sources named, every type covered, rows reproduced."""

import csv
import re
from pathlib import Path

import pytest

from ecs.capacity import COLUMNS, ENI_LIMITS, LISTED, instance_limits
from ecs.data.generate_eni_limits import SourceError, parse_vpc_cni
from ecs.data.generate_eni_limits import main as generate

COMMITTED = ENI_LIMITS.read_text().splitlines()
HEADER = [line for line in COMMITTED if line.startswith("#")]
ROWS = {row["instance_type"]: row for row in csv.DictReader(COMMITTED[len(HEADER) :])}


def test_the_data_file_covers_every_type_of_both_sources() -> None:
    """At least 400 types, the ECS table's trunking figures for at least 400, and one-card types that agree."""
    assert len(ROWS) >= 400
    assert len(instance_limits()) == len(ROWS)
    assert sum(row["trunking"] == LISTED for row in ROWS.values()) >= 400
    # Where the guide lists a one-card type, its figure is the type's ENIs - 1: the two sources line up.
    both = [row for row in ROWS.values() if row["sources"] == "ecs-guide+vpc-cni" and row["network_cards"] == "1"]
    assert len(both) >= 400
    assert [r for r in both if int(r["awsvpc_tasks_without_trunking"]) != int(r["max_enis"]) - 1] == []


def test_the_first_cards_enis_are_certain_and_the_summed_cards_an_upper_bound() -> None:
    """Every figure of the guide lies between the first card's ENIs - 1 and the summed cards' - 1, so a type it does
    not list gets the first card's as its figure, and capacity answers up to the summed cards' (ecs/capacity.py)."""
    listed = [row for row in ROWS.values() if row["sources"] == "ecs-guide+vpc-cni"]
    figures = [
        (int(r["first_card_enis"]) - 1, int(r["awsvpc_tasks_without_trunking"]), int(r["max_enis"]) - 1) for r in listed
    ]
    assert [figure for figure in figures if not figure[0] <= figure[1] <= figure[2]] == []
    # The guide's m6in.32xlarge (2 cards of 8 ENIs) is 13: neither the first card's 7 nor the summed cards' 15.
    assert figures[[r["instance_type"] for r in listed].index("m6in.32xlarge")] == (7, 13, 15)
    omitted = [row for row in ROWS.values() if row["sources"] == "vpc-cni"]
    assert [r for r in omitted if int(r["awsvpc_tasks_without_trunking"]) != int(r["first_card_enis"]) - 1] == []
    ranged = [row["instance_type"] for row in omitted if row["max_enis"] != row["first_card_enis"]]
    assert {"p5.48xlarge", "g6e.48xlarge"} <= set(ranged)
    assert all(ROWS[name]["network_cards"] != "1" for name in ranged)


def test_the_data_file_names_its_sources() -> None:
    """The header names both repositories, files and commits, and the command that regenerates the file."""
    header = "\n".join(HEADER)
    assert "github.com/awsdocs/amazon-ecs-developer-guide doc_source/container-instance-eni.md" in header
    assert "at 49232cf2ab3bbe78781a45fb1a4c4cf7eee8790a" in header
    assert "github.com/aws/amazon-vpc-cni-k8s pkg/vpc/vpc_ip_resource_limit.go" in header
    assert re.search(r"--vpc-cni-commit [0-9a-f]{40}$", header)
    assert ".venv/bin/python -m ecs.data.generate_eni_limits" in header
    assert COMMITTED[len(HEADER)] == ",".join(COLUMNS)


# Tiny stand-ins for the two sources, in their formats, with the published figures of a few types.
GUIDE = r"""# ENI trunking (excerpt for the test)

The `c5a.8xlarge` and `r5.metal` instance types are not supported\.
The `m5dn` and `z1d` instance families are not supported\.

| Instance type | Task limit without ENI trunking | Task limit with ENI trunking |
| --- | --- | --- |
| c5\.large | 2 | 10 |
| c5a\.8xlarge | 7 | 60 |
| i4i\.large | 2 | \-2 |
| m6in\.32xlarge | 13 | 120 |
| p4d\.24xlarge | 59 | 120 |
"""
CARDS = {
    "c5.large": [3],
    "c5a.8xlarge": [8],
    "i4i.large": [3],
    "m6in.32xlarge": [8, 8],
    "p4d.24xlarge": [15, 15, 15, 15],
    "t3.micro": [2],
    "m5dn.large": [3],
    "m7i.large": [3],
    "g6e.48xlarge": [10, 10, 10, 10],
    "p5.48xlarge": [2] * 32,
}


def go_entry(name: str, cards: list[int], default: int = 0) -> str:
    """One entry of vpc_ip_resource_limit.go's map, in its layout (ENILimit is the default card's)."""
    per_card = "".join(
        f"\t\t\t{{\n\t\t\t\tMaximumNetworkInterfaces: {count},\n\t\t\t\tNetworkCardIndex:         {index},\n\t\t\t}},\n"
        for index, count in enumerate(cards)
    )
    return (
        f'\t"{name}": {{\n\t\tENILimit:                {cards[default]},\n\t\tDefaultNetworkCardIndex: {default},\n'
        f"\t\tNetworkCards: []NetworkCard{{\n{per_card}\t\t}},\n\t}},\n"
    )


VPC_CNI = "var instanceNetworkingLimits = map[string]InstanceTypeLimits{\n" + "".join(
    go_entry(name, cards) for name, cards in CARDS.items()
)


def test_the_generator_reproduces_the_committed_rows(tmp_path: Path) -> None:
    """From excerpts of both sources, the generator writes the committed file's header and those types' rows."""
    (tmp_path / "container-instance-eni.md").write_text(GUIDE)
    (tmp_path / "vpc_ip_resource_limit.go").write_text(VPC_CNI)
    out = tmp_path / "eni_limits.csv"
    commit = HEADER[-1].split()[-1]
    sources = [str(tmp_path / "container-instance-eni.md"), str(tmp_path / "vpc_ip_resource_limit.go")]
    assert generate([*sources, "--vpc-cni-commit", commit, "--out", str(out)]) == 0
    generated = out.read_text().splitlines()
    assert generated[: len(HEADER) + 1] == COMMITTED[: len(HEADER) + 1]
    rows = list(csv.DictReader(generated[len(HEADER) :]))
    assert rows == [ROWS[name] for name in sorted(CARDS)]
    columns = ("max_enis", "network_cards", "first_card_enis", "awsvpc_tasks_without_trunking")
    assert [ROWS["g6e.48xlarge"][column] for column in columns] == ["40", "4", "10", "9"]
    assert [ROWS["p5.48xlarge"][column] for column in columns] == ["64", "32", "2", "1"]
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([*(Path(s).name for s in sources), out.name])


def test_the_generator_refuses_the_wrong_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file that is not the expected source is refused by name, with the one to pass; nothing is written."""
    (tmp_path / "other.md").write_text("# some other page\n")
    out = tmp_path / "eni_limits.csv"
    assert generate([str(tmp_path / "other.md"), "other.go", "--vpc-cni-commit", "0" * 40, "--out", str(out)]) == 1
    assert capsys.readouterr().err == (
        f"generate_eni_limits: {tmp_path}/other.md: no per-type task limit table found: pass "
        "doc_source/container-instance-eni.md of awsdocs/amazon-ecs-developer-guide at "
        "49232cf2ab3bbe78781a45fb1a4c4cf7eee8790a.\n"
    )
    assert not out.exists()
    with pytest.raises(SourceError) as refused:
        parse_vpc_cni("package vpc\n", "other.go")
    assert str(refused.value) == (
        "other.go: no instance types found: pass pkg/vpc/vpc_ip_resource_limit.go of aws/amazon-vpc-cni-k8s."
    )


def test_the_first_card_is_the_default_one() -> None:
    """The first card is the one DefaultNetworkCardIndex names (0 for every type today); a missing one is refused."""
    cards = parse_vpc_cni(go_entry("x9.large", [4, 6], default=1), "limits.go")["x9.large"]
    assert (cards.first_card, cards.max_enis) == (6, 10)
    with pytest.raises(SourceError) as refused:
        parse_vpc_cni(
            go_entry("x9.large", [4, 6]).replace("DefaultNetworkCardIndex: 0", "DefaultNetworkCardIndex: 2"),
            "limits.go",
        )
    assert str(refused.value) == "limits.go: x9.large has no network card 2, its DefaultNetworkCardIndex."

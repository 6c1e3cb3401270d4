"""The Docker part's arithmetic: docker history parsing, what an image adds to its base, and the start-up and
image-size verdicts."""

from benchmark.docker_figures import (
    MB,
    Startup,
    image_rows,
    image_size,
    markdown_section,
    parse_history,
    step_name,
)

VENV = "/bin/sh -c #(nop) COPY dir:" + "a" * 64 + " in /opt/venv "
BASE_HISTORY = '0\t/bin/sh -c #(nop)  CMD ["python3"]\n148228795\t/bin/sh -c apt-get update\n116667347\t\n'
OURS = f"0\t/bin/sh -c #(nop)  USER 10001:10001\n69929649\t{VENV}\n4307\t/bin/sh -c useradd app\n"
OURS_HISTORY = OURS + BASE_HISTORY


def test_parse_history_reads_bytes_and_steps_newest_first() -> None:
    layers = parse_history(OURS_HISTORY)
    assert [layer.size for layer in layers] == [0, 69929649, 4307, 0, 148228795, 116667347]
    assert layers[1].created_by == VENV.strip()
    assert layers[-1].created_by == ""


def test_step_name_drops_the_shell_prefix_and_the_content_hash() -> None:
    assert step_name(VENV) == "COPY in /opt/venv"
    assert step_name("/bin/sh -c useradd app") == "RUN useradd app"
    assert step_name("/bin/sh -c " + "x" * 100, width=20) == "RUN " + "x" * 13 + "..."


def test_image_size_takes_our_layers_above_the_base_and_names_the_biggest() -> None:
    sizes = {"ours": 338_663_441, "base": 264_896_142}
    image = image_size("ours", "base", sizes.__getitem__, {"ours": OURS_HISTORY, "base": BASE_HISTORY}.__getitem__)
    assert [layer.size for layer in image.additions] == [0, 69929649, 4307]
    assert image.added_mb == (338_663_441 - 264_896_142) / MB
    assert image.biggest()[0].size == 69929649
    verdict = image.verdict(60)
    assert verdict.met is False
    assert verdict.figure.startswith("73.8 MB")
    assert image.verdict(80).met is True
    row = image_rows([image])[0]
    assert row[3] == "73.8"
    assert row[4].startswith("69.9 MB `COPY in /opt/venv`")


def test_only_warm_compose_start_up_has_a_target() -> None:
    assert Startup("compose up, warm", 4.9).verdict().met is True
    assert Startup("compose up, warm", 5.0).verdict().met is False
    assert Startup("compose up, cold", 60).verdict().met is None
    assert Startup("run-local awsvpc", 9).verdict().figure == "9.0 s"


def test_markdown_section_has_a_row_per_start_up() -> None:
    lines = markdown_section([Startup("compose up, warm", 3.25)], [], "Cold: as said.")
    assert "| `compose up, warm` | 3.2 |" in lines or "| `compose up, warm` | 3.3 |" in lines
    assert any("Cold: as said." in line for line in lines)

"""Paths 4 and 5 of the benchmark, figures of their own rather than rows: start-up to the first 200, and each
image's size as its base plus what we add (`docker history`), with their targets and their report table."""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from benchmark.targets import Verdict

# Docker's MB, as `docker images` prints sizes.
MB = 1_000_000
# Warm compose start-up to the first 200 through nginx; the other start-ups are reported.
WARM_COMPOSE_SECONDS = 5.0
# What our images may add to their bases: image name -> (its base's variable, MB).
IMAGE_LIMITS = {"myapp-app:local": ("PYTHON_IMAGE", 60.0), "myapp-nginx:local": ("NGINX_IMAGE", 5.0)}
# How many of the biggest additions the report names.
NAMED_ADDITIONS = 3
HASH = re.compile(r"\b(dir|file):[0-9a-f]{64} ")


@dataclass(frozen=True)
class Startup:
    label: str
    seconds: float

    def verdict(self) -> Verdict:
        if self.label == "compose up, warm":
            target = f"`{self.label}` to the first 200 through nginx < {WARM_COMPOSE_SECONDS:g} s"
            return Verdict(target, f"{self.seconds:.1f} s", self.seconds < WARM_COMPOSE_SECONDS)
        return Verdict(f"`{self.label}` to the first 200 through nginx", f"{self.seconds:.1f} s", None)


@dataclass(frozen=True)
class Layer:
    size: int
    created_by: str


def parse_history(output: str) -> list[Layer]:
    """`docker history --human=false --no-trunc --format '{{.Size}}\\t{{.CreatedBy}}'`: newest layer first."""
    layers = []
    for line in output.splitlines():
        if line.strip():
            size, _, created_by = line.partition("\t")
            layers.append(Layer(int(size), created_by.strip()))
    return layers


def step_name(created_by: str, width: int = 60) -> str:
    """A layer's Dockerfile step, short: no `/bin/sh -c #(nop)` prefix, no content hash."""
    step = created_by.removeprefix("/bin/sh -c ").removeprefix("#(nop) ").strip()
    step = HASH.sub("", step)
    step = step if step.startswith(("COPY", "ADD", "ENV", "CMD")) else "RUN " + step
    return step if len(step) <= width else step[: width - 3] + "..."


@dataclass(frozen=True)
class ImageSize:
    image: str
    base: str
    size: int
    base_size: int
    # Our layers (those above the base's), newest first.
    additions: tuple[Layer, ...]

    @property
    def added_mb(self) -> float:
        return (self.size - self.base_size) / MB

    def biggest(self) -> list[Layer]:
        return sorted(self.additions, key=lambda layer: layer.size, reverse=True)[:NAMED_ADDITIONS]

    def verdict(self, limit_mb: float) -> Verdict:
        return Verdict(
            f"`{self.image}` adds <= {limit_mb:g} MB to its base",
            f"{self.added_mb:.1f} MB ({self.size / MB:.0f} MB on {self.base_size / MB:.0f} MB `{self.base}`)",
            self.added_mb <= limit_mb,
        )


def image_size(image: str, base: str, inspect: Callable[[str], int], history: Callable[[str], str]) -> ImageSize:
    """`image` against `base`: our layers are the ones above the base's own."""
    ours, theirs = parse_history(history(image)), parse_history(history(base))
    additions = tuple(ours[: len(ours) - len(theirs)])
    return ImageSize(image, base, inspect(image), inspect(base), additions)


def image_rows(images: Sequence[ImageSize]) -> list[list[str]]:
    rows = []
    for image in images:
        named = "; ".join(f"{layer.size / MB:.1f} MB `{step_name(layer.created_by)}`" for layer in image.biggest())
        rows.append(
            [f"`{image.image}`", f"`{image.base}`", f"{image.base_size / MB:.1f}", f"{image.added_mb:.1f}", named]
        )
    return rows


def markdown_section(startups: Sequence[Startup], images: Sequence[ImageSize], cold: str) -> list[str]:
    """The report's tables for start-up and image sizes."""
    lines = [
        "## Docker: start-up and image sizes",
        "",
        f"Start-up: seconds from the command to the first 200 from `/healthz` through nginx. {cold}",
        "",
    ]
    lines += ["| Start-up | seconds |", "|---|---|", *[f"| `{s.label}` | {s.seconds:.1f} |" for s in startups], ""]
    lines += ["Image sizes (`docker image inspect`, `docker history`), MB as Docker counts them (10^6 bytes).", ""]
    lines += ["| Image | base | base MB | we add MB | biggest additions |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in image_rows(images)]
    return [*lines, ""]

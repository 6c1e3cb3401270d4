"""The benchmark's optional Docker part: runs when an engine is reachable (or BENCHMARK_DOCKER=1 may start one),
else is skipped with a printed line. Starts the stacks and measures start-up and image sizes before the rounds;
its rows join the native ones in the rounds; `stop()` removes everything it created, dockerd included."""

from dataclasses import dataclass, field
from pathlib import Path

from benchmark.cpu import Component
from benchmark.docker_engine import Engine, find_engine, prepare_base_images
from benchmark.docker_figures import IMAGE_LIMITS, ImageSize, image_size, markdown_section
from benchmark.docker_stacks import LOAD_IMAGE, DockerStacks, start_stacks
from benchmark.paths import RequestPath
from benchmark.targets import Verdict

COLD = (
    "Cold: `docker compose build --no-cache` then `up`: the base images are on the engine, every layer of ours is "
    "rebuilt (pip downloads and installs the requirements, collectstatic runs). Warm: `up` with the images built."
)


@dataclass
class DockerPart:
    engine: Engine | None = None
    stacks: DockerStacks | None = None
    images: list[ImageSize] = field(default_factory=list)
    skipped: str = ""
    # Dangling images before the run: the rebuild leaves the old ones dangling, and only those are removed.
    dangling: set[str] = field(default_factory=set)

    @property
    def paths(self) -> list[RequestPath]:
        return self.stacks.paths if self.stacks else []

    @property
    def components(self) -> dict[str, Component]:
        """What the Docker rows' CPU is read from: the containers' cgroups and the engine's processes."""
        return self.stacks.components if self.stacks else {}

    def verdicts(self) -> list[Verdict]:
        if self.stacks is None:
            return []
        verdicts = [startup.verdict() for startup in self.stacks.startups]
        return verdicts + [image.verdict(IMAGE_LIMITS[image.image][1]) for image in self.images]

    def markdown(self) -> list[str]:
        if self.stacks is None:
            return ["## Docker", "", f"Skipped: {self.skipped}.", ""]
        return markdown_section(self.stacks.startups, self.images, COLD)

    def stop(self) -> None:
        if self.stacks is not None:
            self.stacks.stop()
        if self.engine is not None:
            self.engine.docker("image", "rm", "--force", LOAD_IMAGE, check=False)
            left = set(self.engine.dangling_images()) - self.dangling  # the --no-cache rebuild's old images
            if left:
                self.engine.docker("image", "rm", *sorted(left), check=False)
            self.engine.stop()


def start_docker_part(run_dir: Path) -> DockerPart:
    """The stacks running and their figures taken, or a skipped part with the reason printed."""
    try:
        engine, reason = find_engine()
    except RuntimeError as error:
        engine, reason = None, str(error)
    if engine is None:
        print(f"benchmark: the Docker rows are skipped: {reason}", flush=True)
        return DockerPart(skipped=reason)
    print(f"benchmark: the Docker rows run on {reason}", flush=True)
    part = DockerPart(engine, dangling=set(engine.dangling_images()))
    try:
        prepare_base_images(engine, run_dir)
        part.stacks = start_stacks(engine)
        for image, (base, _) in IMAGE_LIMITS.items():
            part.images.append(image_size(image, engine.base_images[base], engine.image_bytes, engine.history))
    except BaseException:
        part.stop()
        raise
    return part

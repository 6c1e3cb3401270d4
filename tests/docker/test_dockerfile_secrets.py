"""Both images, as compose builds them, hold no secret: not in `docker history --no-trunc`, and not in any layer
of `docker save` (file names and contents) nor its image configuration. The secrets are every DJANGO_SECRET_KEY
and POSTGRES_PASSWORD the tier gave compose, those of the repository's .env when it has one, and any file
named .env. A planted image shows that the scan finds each kind."""

import io
import json
import os
import re
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

import pytest

from tests.support.docker import ComposeProject, Engine
from tests.support.paths import REPO

pytestmark = pytest.mark.docker

SECRET_NAMES = ("DJANGO_SECRET_KEY", "POSTGRES_PASSWORD")
# `.env` as a path or a word in build commands, not `.envsh` or `.env.example`.
DOT_ENV = re.compile(rb"(?<![\w.-])\.env(?![\w.-])")


def repository_env_secrets(path: Path = REPO / ".env") -> list[tuple[str, str]]:
    """The secret values in the repository's .env (git ignores it, but it sits in the build's directory)."""
    if not path.exists():
        return []
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return [
        (f".env's {name.strip()}", value.strip().strip("'\""))
        for name, value in pairs
        if name.strip() in SECRET_NAMES and value.strip().strip("'\"")
    ]


@dataclass
class Scan:
    """Where each secret was found, and how much was read, so that a scan of nothing cannot pass."""

    secrets: list[tuple[str, str]]
    findings: list[str] = field(default_factory=list)
    layers: int = 0
    files: int = 0
    bytes_read: int = 0

    def text(self, where: str, data: bytes, *, dot_env: bool = True) -> None:
        self.bytes_read += len(data)
        self.findings += [f"{where}: {name}" for name, value in self.secrets if value.encode() in data]
        if dot_env and DOT_ENV.search(data):
            self.findings.append(f"{where}: mentions .env")

    def layer(self, where: str, stream: IO[bytes]) -> None:
        self.layers += 1
        with tarfile.open(fileobj=stream, mode="r|*") as layer:
            for member in layer:
                path = f"{where}:/{member.name}"
                if PurePosixPath(member.name).name == ".env":
                    self.findings.append(f"{path}: a file named .env")
                self.text(f"{path} (name)", member.name.encode(), dot_env=False)
                if member.isfile():
                    self.files += 1
                    content = layer.extractfile(member)
                    assert content is not None
                    self.text(path, content.read(), dot_env=False)


def scan_image(engine: Engine, image: str, secrets: list[tuple[str, str]], work: Path) -> Scan:
    """`docker history --no-trunc` and every member of `docker save`: the layers file by file, the rest as text."""
    scan = Scan(secrets)
    history = subprocess.run(
        ["docker", "history", "--no-trunc", "--format", "{{.CreatedBy}}", image],
        env=engine.env,
        capture_output=True,
        check=True,
    )
    scan.text("docker history", history.stdout)
    saved = work / "image.tar"
    subprocess.run(["docker", "save", "--output", str(saved), image], env=engine.env, check=True, timeout=300)
    try:
        with tarfile.open(saved) as archive:
            index = archive.extractfile("manifest.json")
            assert index is not None
            manifest = json.loads(index.read())
            layers = {name for entry in manifest for name in entry["Layers"]}
            for member in archive.getmembers():
                if PurePosixPath(member.name).name == ".env":
                    scan.findings.append(f"docker save:/{member.name}: a file named .env")
                content = archive.extractfile(member) if member.isfile() else None
                if content is None:
                    continue
                if member.name in layers:
                    scan.layer(f"layer {member.name}", content)
                else:
                    scan.text(f"docker save:/{member.name}", content.read())
    finally:
        saved.unlink()
    return scan


@pytest.mark.parametrize("service", ["app", "nginx"])
def test_the_image_holds_no_secret(
    compose_project: ComposeProject, service: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Neither the history nor any layer or configuration of the image holds a secret or a file named .env."""
    engine = compose_project.engine
    secrets = [
        *((f"{name} given to compose", value) for name, value in engine.compose_secrets),
        *repository_env_secrets(),
    ]
    assert {name for name, _ in engine.compose_secrets} == set(SECRET_NAMES)
    # The stack's image, and the tag's if a later build (another project, other secrets) moved it.
    tag = compose_project.container(service).attrs["Config"]["Image"]
    images = {compose_project.container(service).image.id, engine.client.images.get(tag).id}
    for image in sorted(images):
        scan = scan_image(engine, image, secrets, tmp_path)
        with capsys.disabled():
            print(
                f"\n  {service} image {image[7:19]}: {len(secrets)} secret values looked for in its history,"
                f" configuration, {scan.layers} layers and {scan.files} files ({scan.bytes_read / 1e6:.0f} MB):"
                f" {len(scan.findings)} found"
            )
        assert scan.findings == [], "\n".join(["the image holds secrets (named, never shown):", *scan.findings])
        assert scan.layers >= 3, "control: the scan read the image's layers"
        assert scan.files > 100, "control: the scan read the image's files"


def test_the_scan_finds_a_planted_secret(compose_project: ComposeProject, tmp_path: Path) -> None:
    """Control: an image that holds a secret in each place the scan reads (a build argument in its history and
    configuration, a file's contents, a file named .env) gets one finding for each."""
    engine = compose_project.engine
    planted = "planted-" + "x" * 40
    dockerfile = b"FROM scratch\nARG LEAKED\nENV LEAKED_AT_RUNTIME=${LEAKED}\nCOPY . /app/\n"
    files = {"Dockerfile": dockerfile, "settings.txt": f"KEY={planted}\n".encode(), ".env": b"nothing secret\n"}
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as archive:
        for name, data in files.items():
            entry = tarfile.TarInfo(name)
            entry.size = len(data)
            archive.addfile(entry, io.BytesIO(data))
    context.seek(0)
    tag = f"myapp-planted-secret:test{os.getpid()}"
    engine.client.images.build(fileobj=context, custom_context=True, tag=tag, buildargs={"LEAKED": planted}, rm=True)
    try:
        found = scan_image(engine, tag, [("the planted key", planted)], tmp_path).findings
    finally:
        engine.client.images.remove(tag, force=True)
    assert "docker history: the planted key" in found
    assert any(line.startswith("docker save:/") and line.endswith(": the planted key") for line in found), found
    assert any(line.endswith("/app/settings.txt: the planted key") for line in found), found
    assert any(line.endswith("/app/.env: a file named .env") for line in found), found

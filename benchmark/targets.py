"""The targets of issue 11, each stated in the measures and checked against the medians of one run.

A target is met or missed, never loosened: a missed one is reported with its figure, and the run exits 1.
Rows another part of the benchmark did not measure (a Docker topology, say) leave their targets out.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from benchmark.measure import Samples, Spread
from benchmark.paths import ENGINE


@dataclass(frozen=True)
class Verdict:
    target: str
    figure: str
    # None: a figure to report, with nothing to meet.
    met: bool | None


@dataclass(frozen=True)
class ThroughputRatio:
    """`path` serves at least `ratio` times the requests per second of `baseline`."""

    path: str
    baseline: str
    # None: the ratio is reported, with nothing to meet.
    ratio: float | None

    def rows(self) -> tuple[str, ...]:
        return self.path, self.baseline

    def evaluate(self, samples: Mapping[str, Samples]) -> Verdict:
        """The median of the rounds' ratios: the two rows ran in one round, so they share its noise."""
        ratios = Spread.of(round_ratios(samples[self.path], samples[self.baseline]))
        figure = f"{ratios.median:.2f}x (rounds {ratios.low:.2f}-{ratios.high:.2f})"
        if self.ratio is None:
            return Verdict(f"`{self.path}` against `{self.baseline}` (req/s)", figure, None)
        return Verdict(
            f"`{self.path}` >= {self.ratio:g}x `{self.baseline}` (req/s)", figure, ratios.median >= self.ratio
        )


@dataclass(frozen=True)
class TailLatency:
    """p99 of `path` at the fixed load is at most `factor` times `baseline`'s plus `slack_ms`."""

    path: str
    baseline: str
    factor: float = 1.1
    slack_ms: float = 1.0

    def rows(self) -> tuple[str, ...]:
        return self.path, self.baseline

    def evaluate(self, samples: Mapping[str, Samples]) -> Verdict:
        p99, base = median(samples[self.path].p99_ms), median(samples[self.baseline].p99_ms)
        limit = self.factor * base + self.slack_ms
        return Verdict(
            f"`{self.path}` p99 <= {self.factor:g}x `{self.baseline}` p99 + {self.slack_ms:g} ms",
            f"{p99:.2f} ms against a limit of {limit:.2f} ms ({base:.2f} ms direct)",
            p99 <= limit,
        )


@dataclass(frozen=True)
class ProxyCpuShare:
    """On `path`, nginx spends at most `share` of the CPU time gunicorn spends on the same request."""

    path: str
    share: float = 0.10

    def rows(self) -> tuple[str, ...]:
        return (self.path,)

    def evaluate(self, samples: Mapping[str, Samples]) -> Verdict:
        nginx, gunicorn = median(samples[self.path].cpu_us["nginx"]), median(samples[self.path].cpu_us["gunicorn"])
        return Verdict(
            f"`{self.path}`: nginx CPU per request <= {self.share:.0%} of gunicorn's",
            f"{nginx / gunicorn:.1%} ({nginx:.0f} us against {gunicorn:.0f} us)",
            nginx <= self.share * gunicorn,
        )


@dataclass(frozen=True)
class KeepAliveSaving:
    """Reported, no target: the CPU per request (nginx + gunicorn) that upstream keep-alive saves."""

    kept: str
    unkept: str

    def rows(self) -> tuple[str, ...]:
        return self.kept, self.unkept

    def evaluate(self, samples: Mapping[str, Samples]) -> Verdict:
        kept, unkept = total_cpu(samples[self.kept]), total_cpu(samples[self.unkept])
        throughput = median(round_ratios(samples[self.kept], samples[self.unkept]))
        return Verdict(
            f"upstream keep-alive: CPU per request saved, `{self.kept}` against `{self.unkept}`",
            f"{unkept - kept:.0f} us ({1 - kept / unkept:.0%} of {unkept:.0f} us); req/s {throughput:.2f}x",
            None,
        )


@dataclass(frozen=True)
class CpuBreakdown:
    """Reported, no target: `path`'s CPU per request by role against `baseline`'s, to show where a slower path's
    time goes (a role only `path` has, such as the Docker engine, stands alone)."""

    path: str
    baseline: str

    def rows(self) -> tuple[str, ...]:
        return self.path, self.baseline

    def evaluate(self, samples: Mapping[str, Samples]) -> Verdict:
        path, baseline = samples[self.path].cpu_us, samples[self.baseline].cpu_us
        if not path or not baseline:
            return Verdict(f"`{self.path}`: CPU per request against `{self.baseline}`", "not measured", None)
        parts = [
            f"{role} {median(values):.0f} vs {median(baseline[role]):.0f} us"
            if role in baseline
            else f"{role} {median(values):.0f} us"
            for role, values in path.items()
        ]
        totals = f"total {total_cpu(samples[self.path]):.0f} vs {total_cpu(samples[self.baseline]):.0f} us"
        return Verdict(f"`{self.path}`: CPU per request against `{self.baseline}`", ", ".join([*parts, totals]), None)


Target = ThroughputRatio | TailLatency | ProxyCpuShare | KeepAliveSaving | CpuBreakdown

TARGETS: tuple[Target, ...] = (
    ThroughputRatio("static: our nginx", "static: minimal nginx", 0.9),
    ThroughputRatio("static: our nginx", "static: gunicorn + WhiteNoise", 10.0),
    ThroughputRatio("page: nginx, keep-alive", "page: gunicorn direct", 0.95),
    TailLatency("page: nginx, keep-alive", "page: gunicorn direct"),
    ProxyCpuShare("page: nginx, keep-alive"),
    KeepAliveSaving("page: nginx, keep-alive", "page: nginx, no keep-alive"),
    KeepAliveSaving("healthz: nginx, keep-alive", "healthz: nginx, no keep-alive"),
    # What a container's CPU cgroup alone costs nginx: the same process, moved into a child cgroup.
    CpuBreakdown("healthz: nginx, keep-alive, in a CPU cgroup", "healthz: nginx, keep-alive"),
    ThroughputRatio("healthz: nginx, keep-alive, in a CPU cgroup", "healthz: nginx, keep-alive", None),
    # The Docker topologies (benchmark/docker_stacks.py), from inside the task, against `make run`'s nginx.
    ThroughputRatio("healthz: run-local awsvpc, inside", "healthz: nginx, keep-alive", 0.95),
    ThroughputRatio("healthz: run-local bridge, inside", "healthz: nginx, keep-alive", 0.9),
    ThroughputRatio("healthz: compose, inside", "healthz: nginx, keep-alive", 0.8),
    *(
        ThroughputRatio(f"page: {topology}, inside", "page: nginx, keep-alive", None)
        for topology in ("run-local awsvpc", "run-local bridge", "compose")
    ),
    # Where a topology's CPU per request goes (its containers and the Docker engine), against `make run`'s.
    *(
        CpuBreakdown(f"healthz: {topology}, inside", "healthz: nginx, keep-alive")
        for topology in ("run-local awsvpc", "run-local bridge", "compose")
    ),
    # The published port against inside: what the local userland proxy costs.
    *(
        ThroughputRatio(f"{what}: {topology}, published port", f"{what}: {topology}, inside", None)
        for what in ("healthz", "page")
        for topology in ("run-local awsvpc", "run-local bridge", "compose")
    ),
)


def round_ratios(path: Samples, baseline: Samples) -> list[float]:
    """Each round's throughput of `path` over `baseline`'s: the two ran in one round, so they share its noise."""
    return [ours / theirs for ours, theirs in zip(path.throughput, baseline.throughput, strict=True)]


def median(values: list[float]) -> float:
    return Spread.of(values).median


def total_cpu(samples: Samples) -> float:
    """The median CPU per request of every component on the path, added up (us)."""
    return sum(median(values) for values in samples.cpu_us.values())


def no_errors(samples: Mapping[str, Samples]) -> Verdict:
    """Every scenario answered every request with 2xx or 3xx: a run with errors fails."""
    failed = {label: sample.errors for label, sample in samples.items() if sample.errors}
    figure = "; ".join(f"`{label}`: {errors}" for label, errors in failed.items()) or "none"
    return Verdict("zero errors in every scenario", figure, not failed)


def evaluate(samples: Mapping[str, Samples], targets: tuple[Target, ...] = TARGETS) -> list[Verdict]:
    """The verdict of each target whose rows were measured, then the errors verdict."""
    measured = [target for target in targets if set(target.rows()) <= set(samples)]
    return [target.evaluate(samples) for target in measured] + [no_errors(samples)]


# The rows behind the reading of a missed Docker target (benchmark/cgroup.py, benchmark/docker_stacks.py).
NATIVE_HEALTHZ = "healthz: nginx, keep-alive"
CGROUP_HEALTHZ = "healthz: nginx, keep-alive, in a CPU cgroup"
INSIDE_HEALTHZ = tuple(
    f"healthz: {topology}, inside" for topology in ("run-local awsvpc", "run-local bridge", "compose")
)


def cgroup_reading(samples: Mapping[str, Samples]) -> str:
    """What the CPU cgroup row and the Docker engine column say about the Docker rows, claiming only what the
    figures show."""
    cgroup, native = samples[CGROUP_HEALTHZ], samples[NATIVE_HEALTHZ]
    ratio = median(round_ratios(cgroup, native))
    text = (
        "The same native nginx, moved into a child cgroup with the CPU controller as Docker puts every container, "
        f"served `/healthz` at {ratio:.2f}x of itself outside one, in this run"
    )
    if cgroup.cpu_us.get("nginx") and native.cpu_us.get("nginx"):
        cost = {role: (median(cgroup.cpu_us[role]), median(native.cpu_us[role])) for role in ("nginx", "gunicorn")}
        text += ", at " + " and ".join(
            f"{inside:.0f} us per request for {role} against {outside:.0f}" for role, (inside, outside) in cost.items()
        )
        if all(inside > outside for inside, outside in cost.values()):
            text += " (the two wake each other across cgroups): each topology pays that first"
    engine = {
        row.removeprefix("healthz: ").removesuffix(", inside"): median(samples[row].cpu_us[ENGINE])
        for row in INSIDE_HEALTHZ
        if row in samples and samples[row].cpu_us.get(ENGINE)
    }
    if engine:
        figures = ", ".join(f"{us:.0f} us for {topology}" for topology, us in engine.items())
        text += f". The Docker engine (its log pipeline, mostly) cost {figures}"
    return text + "." + bridge_reading(samples)


def bridge_reading(samples: Mapping[str, Samples]) -> str:
    """What bridge and compose pay beyond awsvpc: the same images and cgroups, but a bridge network between
    nginx and the app where awsvpc has loopback. Claimed only where the figures show a cost."""
    awsvpc = "healthz: run-local awsvpc, inside"

    def proxy_and_app(row: str) -> float | None:
        cpu = samples[row].cpu_us if row in samples else {}
        return median(cpu["nginx"]) + median(cpu["gunicorn"]) if cpu.get("nginx") and cpu.get("gunicorn") else None

    base = proxy_and_app(awsvpc)
    extra = {
        row.removeprefix("healthz: ").removesuffix(", inside"): cost - base
        for row in INSIDE_HEALTHZ
        if row != awsvpc and base is not None and (cost := proxy_and_app(row)) is not None and cost > base
    }
    if not extra:
        return ""
    figures = ", ".join(f"{us:.0f} us for {topology}" for topology, us in extra.items())
    return (
        " Bridge and compose cross a bridge network between nginx and the app, where awsvpc has loopback: their "
        f"nginx and gunicorn cost more per request than awsvpc's by {figures}."
    )


def reading_of_misses(samples: Mapping[str, Samples], verdicts: list[Verdict]) -> list[str]:
    """Sentences, from this run's figures, on why a missed target was missed: what the measures show."""
    missed = {verdict.target for verdict in verdicts if verdict.met is False}
    lines = []
    docker_missed = [row for row in INSIDE_HEALTHZ if any(f"`{row}` >=" in target for target in missed)]
    if docker_missed and {CGROUP_HEALTHZ, NATIVE_HEALTHZ} <= set(samples):
        lines.append(f"Missed: {', '.join(f'`{row}`' for row in docker_missed)}. " + cgroup_reading(samples))
    for target in sorted(target for target in missed if " p99 <= " in target):
        rows = [row for row in samples if f"`{row}`" in target]
        spreads = "; ".join(f"`{row}` {min(samples[row].p99_ms):.2f}-{max(samples[row].p99_ms):.2f} ms" for row in rows)
        lines.append(
            f"Missed: {target}. The rounds' p99s spread over {spreads}: each p99 is the 1 % slowest of one "
            "2 s run, so a few requests delayed by the rest of the machine move it."
        )
    for ratio in TARGETS:
        if not isinstance(ratio, ThroughputRatio) or ratio.ratio is None or ratio.path in INSIDE_HEALTHZ:
            continue  # the Docker rows are read above, with the cgroup row
        if all(row in samples and samples[row].throughput for row in ratio.rows()):
            verdict = ratio.evaluate(samples)
            if verdict.met is False:
                lines.append(f"Missed: {verdict.target}. " + throughput_reading(ratio, samples))
    return lines


def throughput_reading(target: ThroughputRatio, samples: Mapping[str, Samples]) -> str:
    """A missed throughput ratio: how far its rounds spread, and the ratio its rows' CPU per request implies on a
    machine whose cores are the limit (each request's CPU, against the baseline's)."""
    path, baseline = samples[target.path], samples[target.baseline]
    ratios = round_ratios(path, baseline)
    text = f"Its rounds spread from {min(ratios):.2f}x to {max(ratios):.2f}x"
    if path.cpu_us and baseline.cpu_us:
        ours, theirs = total_cpu(path), total_cpu(baseline)
        text += (
            f"; by CPU per request ({ours:,.0f} us against {theirs:,.0f} us), a machine whose cores are the limit "
            f"would give {theirs / ours:.2f}x"
        )
    return text + "."

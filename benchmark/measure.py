"""The runs: a calibration, then rounds in which every measure sweeps every path in turn.

Within a round, one measure goes over all paths back to back (throughput, then CPU, then latency), so that the
paths a ratio compares are measured seconds apart; odd rounds go in reverse order, so that a slow drift of the
machine favours no path. Each figure is the median of the rounds, with their min and max.

The CPU per request has a run of its own, of a fixed count, except on the paths that read it over their timed
throughput run (`cpu_during_throughput`, the Docker rows); only paths with `latency` get a latency run.
"""

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmark.cpu import Component, CpuMeter
from benchmark.open_loop import run_open_loop
from benchmark.paths import RequestPath
from benchmark.wrk import CONNECTIONS, run_wrk, run_wrk_count

ROUNDS = 5
CALIBRATION_SECONDS = 1.0
# wrk takes whole seconds.
THROUGHPUT_SECONDS = 2.0
# The fixed number of requests for the CPU accounting: about this long at the path's capacity, and enough that
# the requests wrk abandons when it stops (at most CONNECTIONS) change the figure by under 1 %.
CPU_SECONDS = 1.5
CPU_MINIMUM_REQUESTS = 100 * CONNECTIONS
# The offered load of the latency runs: this share of the group's lowest capacity, for this long.
LOAD_SHARE = 0.5
LATENCY_SECONDS = 2.0


@dataclass(frozen=True)
class Plan:
    """What calibration fixed for every round: capacities, the CPU runs' request counts, the groups' rates."""

    capacity: dict[str, float]
    cpu_requests: dict[str, int]
    rate: dict[str, float]


@dataclass
class Samples:
    """One path's figures, one per round, and every error seen."""

    throughput: list[float] = field(default_factory=list)
    cpu_us: dict[str, list[float]] = field(default_factory=dict)
    p50_ms: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)
    # The open-loop generator's own lateness (p99, ms): large values mean it, not the server, fell behind.
    start_lag_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def add_errors(self, errors: Mapping[str, int]) -> None:
        for kind, count in errors.items():
            self.errors[kind] = self.errors.get(kind, 0) + count

    def cpu_total_per_round(self) -> list[float]:
        """Each round's CPU per request, every component added up (us)."""
        return [sum(values) for values in zip(*self.cpu_us.values(), strict=True)]

    def add_cpu(self, path: RequestPath, per_component: Mapping[str, float]) -> None:
        """One round's CPU per request, by role, from the meter's figures by component."""
        for role, name in path.components.items():
            self.cpu_us[role].append(per_component[name])


@dataclass(frozen=True)
class Spread:
    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> "Spread":
        return cls(statistics.median(values), min(values), max(values))


def two_figures(value: float) -> float:
    """`value` rounded to two significant figures, so that a stated load or count reads as chosen, not measured."""
    return float(f"{value:.2g}")


def calibrate(paths: Sequence[RequestPath], samples: dict[str, Samples]) -> Plan:
    """A short wrk run per path (also the warm-up): capacities, and from them the CPU counts and the rates."""
    capacity: dict[str, float] = {}
    for path in paths:
        result = run_wrk(path.url, CALIBRATION_SECONDS, path.runner)
        samples[path.label].add_errors(result.errors)
        capacity[path.label] = result.requests_per_second
    cpu_requests = {
        label: max(CPU_MINIMUM_REQUESTS, int(two_figures(rate * CPU_SECONDS))) for label, rate in capacity.items()
    }
    groups = {path.group for path in paths}
    rate = {
        group: two_figures(LOAD_SHARE * min(capacity[path.label] for path in paths if path.group == group))
        for group in groups
    }
    return Plan(capacity, cpu_requests, rate)


def components_of(path: RequestPath, components: Mapping[str, Component]) -> dict[str, Component]:
    """The components that serve `path`, by name; a name nobody started is an error that names the path."""
    missing = sorted(set(path.components.values()) - set(components))
    if missing:
        raise ValueError(f"`{path.label}` names components that were not started: {', '.join(missing)}")
    return {name: components[name] for name in path.components.values()}


def run_rounds(
    paths: Sequence[RequestPath],
    components: Mapping[str, Component],
    script_dir: Path,
    rounds: int = ROUNDS,
    progress: bool = True,
) -> tuple[Plan, dict[str, Samples]]:
    """Calibrates, then measures every path `rounds` times; returns the plan and each path's samples."""
    served_by = {path.label: components_of(path, components) for path in paths}  # a wrong name fails at once
    samples = {path.label: Samples(cpu_us={role: [] for role in path.components}) for path in paths}
    plan = calibrate(paths, samples)
    group_of = {path.label: path.group for path in paths}
    for number in range(rounds):
        order = list(paths) if number % 2 == 0 else list(reversed(paths))
        if progress:
            print(f"round {number + 1} of {rounds}", flush=True)
        for path in order:
            meter = CpuMeter(served_by[path.label] if path.cpu_during_throughput else {})
            meter.start()
            result = run_wrk(path.url, THROUGHPUT_SECONDS, path.runner)
            samples[path.label].add_errors(result.errors)
            samples[path.label].throughput.append(result.requests_per_second)
            if path.cpu_during_throughput:
                samples[path.label].add_cpu(path, meter.per_request(result.requests))
        for path in (path for path in order if not path.cpu_during_throughput):
            meter = CpuMeter(served_by[path.label])
            meter.start()
            counted = run_wrk_count(path.url, plan.cpu_requests[path.label], script_dir)
            samples[path.label].add_errors(counted.errors)
            samples[path.label].add_cpu(path, meter.per_request(counted.requests))
        for path in (path for path in order if path.latency):
            rate = plan.rate[group_of[path.label]]
            latency = run_open_loop(path.url, rate, int(rate * LATENCY_SECONDS))
            samples[path.label].add_errors(latency.errors)
            if latency.latencies_ms:
                samples[path.label].p50_ms.append(latency.p50_ms)
                samples[path.label].p99_ms.append(latency.p99_ms)
                samples[path.label].start_lag_ms.append(latency.start_lag_p99_ms)
    return plan, samples

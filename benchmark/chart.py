"""docs/benchmarks.png: each path's throughput and latency, medians with the rounds' min and max as whiskers.

matplotlib comes from benchmark/requirements.txt, which only `make benchmark` installs, so it is imported here,
when the chart is drawn, and the rest of the package (and its tests) runs without it.
"""

from collections.abc import Sequence
from pathlib import Path

from benchmark.measure import Samples, Spread


def whiskers(values: Sequence[Sequence[float]]) -> tuple[list[float], list[list[float]]]:
    """Medians, and matplotlib's xerr: the distances down to the minimum and up to the maximum."""
    spreads = [Spread.of(value) if value else Spread(0, 0, 0) for value in values]
    medians = [spread.median for spread in spreads]
    return medians, [[s.median - s.low for s in spreads], [s.high - s.median for s in spreads]]


def draw_chart(labels: Sequence[str], samples: dict[str, Samples], output: Path) -> None:
    import matplotlib  # type: ignore[import-not-found,unused-ignore]

    matplotlib.use("Agg")  # no display: write the file only
    import matplotlib.pyplot as plt  # type: ignore[import-not-found,unused-ignore]

    rows = list(range(len(labels)))[::-1]  # the first path on top
    figure, (throughput, latency) = plt.subplots(1, 2, figsize=(13, 0.45 * len(labels) + 1.6), sharey=True)
    medians, errors = whiskers([samples[label].throughput for label in labels])
    throughput.barh(rows, medians, xerr=errors, color="#4878a8", capsize=3)
    throughput.set_xscale("log")
    throughput.set_xlabel("requests per second (log scale), wrk at saturation")
    throughput.set_yticks(rows, labels)
    height = 0.38
    for offset, name, color in ((height / 2, "p50_ms", "#72a85a"), (-height / 2, "p99_ms", "#c8553d")):
        medians, errors = whiskers([getattr(samples[label], name) for label in labels])
        positions = [row + offset for row in rows]
        latency.barh(positions, medians, height=height, xerr=errors, color=color, capsize=2, label=name[:3])
    latency.set_xscale("log")
    latency.set_xlabel("latency at a fixed offered load (ms, log scale), open loop")
    latency.legend(loc="lower right")
    for axes in (throughput, latency):
        axes.grid(axis="x", which="both", alpha=0.3)
    figure.tight_layout()
    figure.savefig(output, dpi=100)
    plt.close(figure)

"""benchmark/report.py: the CPU table has a column per role, the engine's empty on the native rows."""

from benchmark.docker_stacks import topology_paths
from benchmark.measure import Plan, Samples
from benchmark.paths import RequestPath
from benchmark.report import Run, cpu_rows, latency_rows

NATIVE = RequestPath("healthz: nginx, keep-alive", "healthz", "http://n/healthz", {"nginx": "n", "gunicorn": "g"})
DOCKER = topology_paths("compose", ("docker", "exec", "load"), "http://in", "http://out")[0]


def run() -> Run:
    samples = {
        NATIVE.label: Samples(cpu_us={"nginx": [35.0, 36.0, 34.0], "gunicorn": [196.0, 200.0, 190.0]}),
        DOCKER.label: Samples(
            throughput=[3000.0, 3100.0, 2900.0],
            cpu_us={"nginx": [60.0, 60.0, 60.0], "gunicorn": [210.0, 210.0, 210.0], "Docker engine": [70.0] * 3},
        ),
    }
    plan = Plan({}, {NATIVE.label: 6400, DOCKER.label: 6000}, {"healthz": 1000.0})
    return Run([NATIVE, DOCKER], plan, samples, [], 3, 60.0, None)


def test_the_cpu_table_has_the_engine_column_and_each_rows_count() -> None:
    """A native row: its fixed count and no engine; a Docker row: its timed run's requests and all three roles."""
    assert cpu_rows(run()) == [
        ["`healthz: nginx, keep-alive`", "6,400", "35 (34-36)", "196 (190-200)", "-", "231 (224-236)"],
        [
            "`healthz: compose, inside`",
            "6,000 in 2 s",
            "60 (60-60)",
            "210 (210-210)",
            "70 (70-70)",
            "340 (340-340)",
        ],
    ]


def test_docker_rows_have_no_latency_row() -> None:
    """Only paths with a latency run are in the latency table."""
    assert [row[0] for row in latency_rows(run())] == ["`healthz: nginx, keep-alive`"]

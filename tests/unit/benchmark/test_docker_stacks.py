"""benchmark/docker_stacks.py: each topology's rows, and which component plays each role on them."""

from benchmark.docker_stacks import DOCKER_ROWS, TOPOLOGIES, topology_components, topology_paths

RUNNER = ("docker", "exec", "load-0")


def test_the_rows_of_every_topology_are_the_docker_rows_in_order() -> None:
    """topology_paths builds exactly the labels docs/performance.md and the targets name."""
    labels = [path.label for topology in TOPOLOGIES for path in topology_paths(topology, RUNNER, "http://in", "")]
    assert labels == list(DOCKER_ROWS)


def test_a_docker_row_reads_its_containers_and_the_engine() -> None:
    """nginx is the nginx container, gunicorn the app container, and the engine the one all stacks share."""
    assert topology_components("run-local awsvpc") == {
        "nginx": "nginx container (run-local awsvpc)",
        "gunicorn": "app container (run-local awsvpc)",
        "Docker engine": "Docker engine",
    }


def test_docker_rows_read_cpu_over_the_throughput_run_and_have_no_latency_run() -> None:
    """Every row reads its CPU over the timed run; only `inside` runs wrk in the load container."""
    paths = topology_paths("compose", RUNNER, "http://127.0.0.1:8080", "http://127.0.0.1:5000")
    assert [(path.url, path.runner) for path in paths] == [
        ("http://127.0.0.1:8080/healthz", RUNNER),
        ("http://127.0.0.1:5000/healthz", ()),
        ("http://127.0.0.1:8080/", RUNNER),
        ("http://127.0.0.1:5000/", ()),
    ]
    assert {(path.cpu_during_throughput, path.latency) for path in paths} == {(True, False)}
    assert {path.group for path in paths} == {"docker healthz", "docker page"}
    assert all(path.components == topology_components("compose") for path in paths)

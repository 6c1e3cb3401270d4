"""benchmark/targets.py: each target is checked against one run's rounds; a miss stays a miss; errors fail the run."""

from benchmark.docker_stacks import DOCKER_ROWS
from benchmark.measure import Samples
from benchmark.paths import ROWS
from benchmark.targets import (
    TARGETS,
    CpuBreakdown,
    KeepAliveSaving,
    ProxyCpuShare,
    TailLatency,
    ThroughputRatio,
    evaluate,
    reading_of_misses,
)


def samples(**figures: list[float]) -> Samples:
    return Samples(throughput=figures.get("throughput", []), p99_ms=figures.get("p99", []))


def test_every_target_names_rows_the_benchmark_measures() -> None:
    """A renamed row cannot leave a target comparing nothing (and silently dropped from the report)."""
    for target in TARGETS:
        assert set(target.rows()) <= set(ROWS) | set(DOCKER_ROWS), target


def test_a_ratio_without_a_target_is_reported() -> None:
    """The published port against inside: what the userland proxy costs, with nothing to meet."""
    runs = {"port": samples(throughput=[50, 60]), "inside": samples(throughput=[100, 100])}
    verdict = ThroughputRatio("port", "inside", None).evaluate(runs)
    assert (verdict.figure, verdict.met) == ("0.55x (rounds 0.50-0.60)", None)


def test_a_throughput_ratio_is_the_median_of_the_rounds_ratios() -> None:
    """A round's two rows share its noise; the ratio of the medians (60 / 80 = 0.75x here) would mix rounds."""
    runs = {"ours": samples(throughput=[90, 46, 60]), "limit": samples(throughput=[100, 50, 80])}
    verdict = ThroughputRatio("ours", "limit", 0.9).evaluate(runs)
    assert (verdict.figure, verdict.met) == ("0.90x (rounds 0.75-0.92)", True)


def test_a_missed_ratio_is_reported_missed_with_its_figure() -> None:
    """0.89x against a 0.9x target is missed, whatever the best round did."""
    runs = {"ours": samples(throughput=[89, 10, 500]), "limit": samples(throughput=[100, 100, 100])}
    verdict = ThroughputRatio("ours", "limit", 0.9).evaluate(runs)
    assert (verdict.figure, verdict.met) == ("0.89x (rounds 0.10-5.00)", False)


def test_tail_latency_allows_a_tenth_and_a_millisecond() -> None:
    """p99 through nginx may be 1.1x direct plus 1 ms: 12 ms against 10 ms direct is met, 12.5 ms is not."""
    direct = samples(p99=[10.0, 9.0, 11.0])
    assert TailLatency("nginx", "direct").evaluate({"nginx": samples(p99=[12.0]), "direct": direct}).met is True
    assert TailLatency("nginx", "direct").evaluate({"nginx": samples(p99=[12.5]), "direct": direct}).met is False


def test_the_proxy_cpu_share_compares_nginx_with_gunicorn_on_the_same_path() -> None:
    """nginx's median CPU per request against gunicorn's, on the proxied path."""
    path = Samples(cpu_us={"nginx": [100.0, 90.0, 300.0], "gunicorn": [2000.0, 2100.0, 1900.0]})
    verdict = ProxyCpuShare("page").evaluate({"page": path})
    assert (verdict.figure, verdict.met) == ("5.0% (100 us against 2000 us)", True)


def test_keep_alive_saving_is_reported_without_a_verdict() -> None:
    """The CPU per request saved by upstream keep-alive, all components added up; nothing to meet."""
    kept = Samples(throughput=[150.0], cpu_us={"nginx": [40.0], "gunicorn": [210.0]})
    unkept = Samples(throughput=[100.0], cpu_us={"nginx": [80.0], "gunicorn": [320.0]})
    verdict = KeepAliveSaving("kept", "unkept").evaluate({"kept": kept, "unkept": unkept})
    assert (verdict.figure, verdict.met) == ("150 us (38% of 400 us); req/s 1.50x", None)


def test_errors_anywhere_fail_the_run_and_unmeasured_rows_drop_their_targets() -> None:
    """Only targets whose rows were measured are checked, and one error in any scenario is a failed verdict."""
    runs = {"a": samples(throughput=[10.0]), "b": samples(throughput=[10.0])}
    runs["b"].add_errors({"HTTP 502": 2})
    verdicts = evaluate(runs, (ThroughputRatio("a", "b", 1.0), ThroughputRatio("a", "elsewhere", 1.0)))
    assert [(verdict.target, verdict.met) for verdict in verdicts] == [
        ("`a` >= 1x `b` (req/s)", True),
        ("zero errors in every scenario", False),
    ]
    assert verdicts[-1].figure == "`b`: {'HTTP 502': 2}"


def test_a_docker_rows_cpu_is_broken_down_against_the_native_row() -> None:
    """Each role against the native row's, the engine (which the native row lacks) alone, then the totals."""
    docker = Samples(cpu_us={"nginx": [60.0, 61.0, 59.0], "gunicorn": [210.0], "Docker engine": [70.0]})
    native = Samples(cpu_us={"nginx": [35.0], "gunicorn": [196.0]})
    verdict = CpuBreakdown("docker", "native").evaluate({"docker": docker, "native": native})
    assert verdict.target == "`docker`: CPU per request against `native`"
    assert verdict.figure == "nginx 60 vs 35 us, gunicorn 210 vs 196 us, Docker engine 70 us, total 340 vs 231 us"
    assert verdict.met is None


def test_each_topology_reports_its_inside_healthz_cpu_against_make_run() -> None:
    """One breakdown per topology, from inside, against the native keep-alive /healthz row; and the same nginx
    in a CPU cgroup against it, which shows the cgroup's own share."""
    breakdowns = [target.rows() for target in TARGETS if isinstance(target, CpuBreakdown)]
    assert breakdowns == [
        ("healthz: nginx, keep-alive, in a CPU cgroup", "healthz: nginx, keep-alive"),
        *(
            (f"healthz: {topology}, inside", "healthz: nginx, keep-alive")
            for topology in ("run-local awsvpc", "run-local bridge", "compose")
        ),
    ]


def cpu_samples(throughput: list[float], **cpu: list[float]) -> Samples:
    return Samples(throughput=throughput, cpu_us=dict(cpu))


def docker_run() -> dict[str, Samples]:
    """A run whose awsvpc row misses 0.95x: nginx in a CPU cgroup alone is at 0.9x of native."""
    return {
        "healthz: nginx, keep-alive": cpu_samples([100, 100, 100], nginx=[35, 35, 36], gunicorn=[200, 199, 201]),
        "healthz: nginx, keep-alive, in a CPU cgroup": cpu_samples(
            [90, 89, 91], nginx=[60, 61, 62], gunicorn=[229, 230, 228]
        ),
        "healthz: run-local awsvpc, inside": cpu_samples(
            [91, 90, 92], nginx=[53, 53, 53], gunicorn=[195, 195, 195], **{"Docker engine": [17.0, 17.0, 17.0]}
        ),
    }


def test_a_missed_docker_target_is_read_with_the_cgroup_rows_figures() -> None:
    """The reading quotes this run's figures: the cgroup row's ratio and CPU, and each topology's engine."""
    runs = docker_run()
    verdicts = evaluate(runs)
    assert [v.met for v in verdicts if "run-local awsvpc, inside` >=" in v.target] == [False]
    reading = reading_of_misses(runs, verdicts)
    assert len(reading) == 1
    assert reading[0].startswith("Missed: `healthz: run-local awsvpc, inside`.")
    assert "at 0.90x of itself outside one, in this run, at 61 us per request for nginx against 35" in reading[0]
    assert "and 229 us per request for gunicorn against 200 (the two wake each other" in reading[0]
    assert "The Docker engine (its log pipeline, mostly) cost 17 us for run-local awsvpc." in reading[0]
    assert "bridge network" not in reading[0], "no bridge row in this run"


def test_the_reading_gives_what_the_bridge_network_costs_beyond_awsvpc() -> None:
    """bridge's nginx + gunicorn against awsvpc's: 70 + 230 - (53 + 195) = 52 us."""
    runs = docker_run()
    runs["healthz: run-local bridge, inside"] = cpu_samples(
        [80, 80, 80], nginx=[70, 70, 70], gunicorn=[230, 230, 230], **{"Docker engine": [20.0, 20.0, 20.0]}
    )
    reading = reading_of_misses(runs, evaluate(runs))[0]
    assert reading.endswith("cost more per request than awsvpc's by 52 us for run-local bridge.")


def test_the_reading_claims_only_what_the_figures_show() -> None:
    """A cgroup row that cost less than native (noise) gets its figures, and no claim that topologies pay it."""
    runs = docker_run()
    runs["healthz: nginx, keep-alive, in a CPU cgroup"].cpu_us["nginx"][:] = [30, 30, 30]
    reading = reading_of_misses(runs, evaluate(runs))[0]
    assert "at 30 us per request for nginx against 35" in reading
    assert "pays that first" not in reading


def test_nothing_missed_reads_nothing() -> None:
    """Control: the same rows with the awsvpc row at 0.96x give no reading."""
    runs = docker_run()
    runs["healthz: run-local awsvpc, inside"].throughput[:] = [96, 96, 96]
    assert reading_of_misses(runs, evaluate(runs)) == []


def test_a_missed_p99_is_read_with_the_rounds_spread() -> None:
    runs = {
        "page: nginx, keep-alive": samples(p99=[4.0, 8.0, 22.0]),
        "page: gunicorn direct": samples(p99=[4.2, 5.4, 7.4]),
    }
    verdicts = [TailLatency("page: nginx, keep-alive", "page: gunicorn direct").evaluate(runs)]
    assert [v.met for v in verdicts] == [False]
    assert reading_of_misses(runs, verdicts) == [
        f"Missed: {verdicts[0].target}. The rounds' p99s spread over `page: nginx, keep-alive` 4.00-22.00 ms; "
        "`page: gunicorn direct` 4.20-7.40 ms: each p99 is the 1 % slowest of one 2 s run, so a few requests "
        "delayed by the rest of the machine move it."
    ]


def test_a_missed_throughput_ratio_is_read_with_its_spread_and_its_cpu() -> None:
    """The page through nginx at 0.89x: rounds 0.80-0.98x, and the CPU (2,100 against 2,000 us) implies 0.95x."""
    runs = {
        "page: nginx, keep-alive": cpu_samples([80, 89, 98], nginx=[100, 100, 100], gunicorn=[2000, 2000, 2000]),
        "page: gunicorn direct": cpu_samples([100, 100, 100], gunicorn=[2000, 2000, 2000]),
    }
    verdicts = [ThroughputRatio("page: nginx, keep-alive", "page: gunicorn direct", 0.95).evaluate(runs)]
    assert [v.met for v in verdicts] == [False]
    assert reading_of_misses(runs, verdicts) == [
        "Missed: `page: nginx, keep-alive` >= 0.95x `page: gunicorn direct` (req/s). Its rounds spread from 0.80x "
        "to 0.98x; by CPU per request (2,100 us against 2,000 us), a machine whose cores are the limit would give "
        "0.95x."
    ]

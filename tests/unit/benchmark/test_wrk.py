"""benchmark/wrk.py: wrk's summary, as wrk 4.1 prints it, becomes requests, seconds, rate and errors."""

import pytest

from benchmark.wrk import ToolError, parse_wrk

CLEAN = """\
Running 3s test @ http://127.0.0.1:40113/healthz
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.62ms    3.10ms  41.38ms   80.12%
    Req/Sec     2.88k   301.44     3.40k    71.67%
  17215 requests in 3.01s, 3.05MB read
Requests/sec:   5719.27
Transfer/sec:      1.01MB
"""

WITH_ERRORS = """\
Running 3s test @ http://127.0.0.1:40113/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    88.10ms   20.33ms 210.55ms   75.00%
    Req/Sec   180.51     40.12   250.00     70.00%
  1086 requests in 1.00m, 12.08MB read
  Socket errors: connect 0, read 3, write 0, timeout 7
  Non-2xx or 3xx responses: 49
Requests/sec:     18.07
Transfer/sec:    205.84KB
"""


def test_a_clean_run_gives_its_count_duration_and_rate() -> None:
    """The request count, the duration in seconds and the rate, with no errors."""
    result = parse_wrk(CLEAN)
    assert (result.requests, result.seconds, result.requests_per_second) == (17215, 3.01, 5719.27)
    assert (result.errors, result.error_count) == ({}, 0)


def test_socket_errors_and_non_2xx_answers_are_counted_by_kind() -> None:
    """Every error line wrk prints is counted, and a duration in minutes is converted to seconds."""
    result = parse_wrk(WITH_ERRORS)
    assert result.errors == {"connect": 0, "read": 3, "write": 0, "timeout": 7, "non-2xx/3xx": 49}
    assert result.error_count == 59
    assert result.seconds == 60.0


def test_output_without_a_summary_is_refused_with_the_output() -> None:
    """A wrk that printed no summary (it failed to connect, say) is an error, not a zero."""
    with pytest.raises(ToolError, match=r"wrk printed no summary:\nunable to connect"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")

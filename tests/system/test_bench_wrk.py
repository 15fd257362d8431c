"""make bench reads wrk's report: the figures it prints must be the ones wrk measured."""

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location("wrk", ROOT / "bench" / "wrk.py")
wrk = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(wrk)

REPORT = """Running 4s test @ http://127.0.0.1:8000/articles/a
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    17.13ms   44.69ms 396.31ms   93.39%
    Req/Sec    72.88     85.24   280.00     81.25%
  Latency Distribution
     50%  450.00us
     75%   11.77ms
     90%   39.19ms
     99%    1.57s{space}
  121 requests in 2.08s, 1.07MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:     58.23
Transfer/sec:    529.48KB
""".format(space=" ")


def test_report_is_read_with_units_and_errors():
    result = wrk.parse(REPORT)
    assert result.rps == 58.23
    assert result.p50_ms == 0.45
    assert result.p99_ms == 1570.0  # "1.57s " with wrk's trailing space
    assert result.requests == 121
    assert result.bad == 7  # 4 non-2xx/3xx + 3 socket errors


def test_interleaved_keeps_each_targets_median_run(monkeypatch):
    rates = iter([10, 100, 30, 300, 20, 200])
    monkeypatch.setattr(wrk, "run", lambda url, headers, seconds, pid: wrk.Result(next(rates), 1, 2, 3, 0))
    medians = wrk.interleaved({"a": ("u", {}), "b": ("v", {})}, rounds=3, seconds=1)
    assert (medians["a"].rps, medians["b"].rps) == (20, 200)


def result(rps: float, cpu_us: float | None = None):
    return wrk.Result(rps, 1, 2, 100, 0, cpu_us)


def test_a_ratio_is_the_median_of_the_rounds_ratios():
    # A round where the machine was busy for one run and idle for the other does not decide it.
    article = [result(110), result(50), result(100), result(120), result(300)]
    floor = [result(100), result(100), result(100), result(100), result(100)]
    assert wrk.paired_ratio(article, floor) == 1.1
    assert wrk.paired_ratio(article[:4], floor[:4]) == 1.05  # an even count: the two middle ones


def test_cpu_ratio_is_the_other_side_cost_over_this_one():
    cheap = [result(1, 300), result(1, 290), result(1, 900)]
    dear = [result(1, 600), result(1, 580), result(1, 620)]
    assert wrk.cpu_ratio(cheap, dear) == 2.0
    assert "CPU  300.0 µs/req" in result(1, 300).line()


BURN = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"


def test_server_cpu_seconds_counts_a_reaped_child():
    # A worker recycled during a run has exited and been reaped: its time is the parent's children's.
    before = wrk.server_cpu_seconds(os.getpid())
    subprocess.run([sys.executable, "-c", BURN], check=True)
    assert wrk.server_cpu_seconds(os.getpid()) - before >= 0.25


def test_server_cpu_seconds_counts_a_live_child():
    before = wrk.server_cpu_seconds(os.getpid()) - time.process_time()
    child = subprocess.Popen([sys.executable, "-c", BURN + "time.sleep(30)"])
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            children = wrk.server_cpu_seconds(os.getpid()) - time.process_time() - before
            if children >= 0.25:
                break
            time.sleep(0.05)
        assert children >= 0.25 and child.poll() is None  # counted while the child still runs
    finally:
        child.kill()
        child.wait()

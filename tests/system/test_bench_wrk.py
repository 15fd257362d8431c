"""make bench reads wrk's report: the figures it prints must be the ones wrk measured."""

import importlib.util
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
    monkeypatch.setattr(wrk, "run", lambda url, headers, seconds: wrk.Result(next(rates), 1, 2, 3, 0))
    medians = wrk.interleaved({"a": ("u", {}), "b": ("v", {})}, rounds=3, seconds=1)
    assert (medians["a"].rps, medians["b"].rps) == (20, 200)

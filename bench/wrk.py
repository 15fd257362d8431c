"""Drive Debian's wrk and read its report: requests per second and latency percentiles."""

import dataclasses
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

WRK = shutil.which("wrk") or "/usr/bin/wrk"
SECONDS = 4
CONNECTIONS = 16
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}

# Each wrk thread signs up distinct addresses: a random prefix per thread, a counter per request.
SIGNUP_LUA = """
local counter = 0
local prefix = ""
function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  prefix = tostring(math.random(100000000, 999999999))
end
function request()
  counter = counter + 1
  local body = "email=bench-" .. prefix .. "-" .. counter .. "%40example.org&article=ARTICLE"
  return wrk.format("POST", "/newsletter/signup",
    {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
"""

# Issue 8's mixed load: ~90% article pages, 8% FAQ fragments, 2% signups (plain form posts, answered
# with a 303 to the thank-you page). Counts 303s and 5xx per thread; `done` prints the totals.
MIXED_LUA = """
threads = {}
counter, thanks, failed = 0, 0, 0  -- globals: `done` reads them with thread:get
local prefix = ""
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  prefix = tostring(math.random(100000000, 999999999))
end
function request()
  local r = math.random(100)
  if r <= 2 then
    counter = counter + 1
    local body = "email=mixed-" .. prefix .. "-" .. counter .. "%40example.org&article=ARTICLE"
    return wrk.format("POST", "/newsletter/signup",
      {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
  elseif r <= 10 then
    return wrk.format("GET", "/articles/ARTICLE/faq/1", {["HX-Request"] = "true", ["Accept-Encoding"] = "br"})
  end
  return wrk.format("GET", "/articles/ARTICLE", {["Accept-Encoding"] = "br"})
end
function response(status, headers, body)
  if status == 303 then thanks = thanks + 1 end
  if status >= 500 then failed = failed + 1 end
end
function done(summary, latency, requests)
  local t, f = 0, 0
  for _, thread in ipairs(threads) do
    t = t + thread:get("thanks")
    f = f + thread:get("failed")
  end
  io.write(string.format("MIXED thanks=%d failed=%d\\n", t, f))
end
"""


@dataclass(frozen=True, slots=True)
class Result:
    """One wrk run."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int  # non-2xx/3xx responses plus socket errors
    cpu_us: float | None = None  # the serving processes' CPU time per request, when measured

    def line(self) -> str:
        """The figures as one aligned line."""
        bad = f"  {self.bad} bad" if self.bad else ""
        cpu = f"   CPU {self.cpu_us:>6.1f} µs/req" if self.cpu_us is not None else ""
        return f"{self.rps:>9.0f} req/s   p50 {self.p50_ms:>7.2f} ms   p99 {self.p99_ms:>7.2f} ms{cpu}{bad}"


def server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a server: its master, its live workers and the workers it
    has reaped (a recycled worker's time moves into the master's children's time when it is reaped).

    Unlike requests a second, CPU per request hardly moves when other jobs share the machine: it is what
    the server spends on a request, not how soon the scheduler lets it spend it."""
    ticks = os.sysconf("SC_CLK_TCK")

    def fields(process: int) -> list[str]:
        return Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()

    try:
        master = fields(pid)
    except OSError:
        return 0.0
    total = sum(int(n) for n in master[11:15])  # utime, stime, cutime, cstime
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                total += sum(int(n) for n in fields(int(child))[11:13])
            except OSError:
                pass  # exited between the listing and the read
    return total / ticks


def _ms(text: str) -> float:
    """`1.23ms` or `450.00us` in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def parse(output: str) -> Result:
    """Figures from wrk's --latency report."""
    percentile = dict(re.findall(r"^\s+(\d+)%\s+(\S+)\s*$", output, re.MULTILINE))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    bad += sum(int(n) for n in errors.groups()) if errors else 0
    return Result(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=_ms(percentile["50"]),
        p99_ms=_ms(percentile["99"]),
        requests=requests,
        bad=bad,
    )


def run(url: str, headers: dict[str, str] | None = None, lua: str | None = None, seconds: int = SECONDS,
        connections: int = CONNECTIONS, pid: int | None = None) -> Result:  # fmt: skip
    """Load one URL for a few seconds with one wrk thread (the other core serves); with the serving
    process's `pid`, also its CPU time per request."""
    if pid is None:
        return run_with_output(url, headers, lua, seconds, connections)[0]
    before = server_cpu_seconds(pid)
    result = run_with_output(url, headers, lua, seconds, connections)[0]
    used = server_cpu_seconds(pid) - before
    return dataclasses.replace(result, cpu_us=used * 1e6 / max(result.requests, 1))


def run_with_output(
    url: str, headers: dict | None = None, lua: str | None = None, seconds: int = SECONDS, connections=16
) -> tuple[Result, str]:
    """`run`, also returning wrk's whole report (a script's `done` may print there)."""
    command = [WRK, "--latency", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.TemporaryDirectory() as folder:
        if lua:
            script = Path(folder) / "script.lua"
            script.write_text(lua)
            command += ["-s", str(script)]
        done = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 30)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr or done.stdout}")
    return parse(done.stdout), done.stdout


def interleaved_runs(
    targets: dict[str, tuple], rounds: int = 3, seconds: int = SECONDS
) -> dict[str, list[Result]]:
    """Run several targets in turn, `rounds` times: every run of each target, in round order. A target is
    (url, headers) or (url, headers, pid of the serving process, to measure its CPU per request).

    Alternating cancels most of a shared machine's drift: a ratio is taken between runs made moments
    apart, not minutes apart.
    """
    runs: dict[str, list[Result]] = {label: [] for label in targets}
    for _ in range(rounds):
        for label, (url, headers, *pid) in targets.items():
            runs[label].append(run(url, headers, seconds=seconds, pid=pid[0] if pid else None))
    return runs


def round_ratios(runs: list[Result], against: list[Result]) -> list[float]:
    """Each round's ratio of requests a second: a run against the one made moments before or after it."""
    return [a.rps / b.rps for a, b in zip(runs, against, strict=True)]


def paired_ratio(runs: list[Result], against: list[Result]) -> float:
    """The median of the rounds' ratios (each run against the one made moments before or after it):
    steadier on a shared machine than a ratio of two medians, whose runs may be minutes apart."""
    ratios = sorted(round_ratios(runs, against))
    middle = len(ratios) // 2
    return ratios[middle] if len(ratios) % 2 else (ratios[middle - 1] + ratios[middle]) / 2


def cpu_ratio(runs: list[Result], against: list[Result]) -> float:
    """`against`'s CPU per request over `runs`'s, each the median of its rounds (above 1: `runs` costs
    less)."""
    mine = sorted(r.cpu_us for r in runs)[len(runs) // 2]
    theirs = sorted(r.cpu_us for r in against)[len(against) // 2]
    return theirs / mine


def median(results: list[Result]) -> Result:
    """The median run by requests per second."""
    return sorted(results, key=lambda r: r.rps)[len(results) // 2]


def interleaved(
    targets: dict[str, tuple[str, dict]], rounds: int = 3, seconds: int = SECONDS
) -> dict[str, Result]:
    """`interleaved_runs`, keeping each target's median run."""
    return {label: median(results) for label, results in interleaved_runs(targets, rounds, seconds).items()}

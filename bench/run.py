"""`make bench`: issue 9's measurements in one run on loopback, printed side by side as ratios.

    .venv/bin/python bench/run.py            # everything (a few minutes)
    BENCH_SECONDS=3 .venv/bin/python bench/run.py   # shorter wrk runs

The machine is shared and noisy: absolute figures are printed, never asserted; the ratios are the point.
"""

import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

import insights_load  # noqa: E402
import nginx_harness  # noqa: E402
import scale  # noqa: E402
import search as search_bench  # noqa: E402
import servers  # noqa: E402
import weight  # noqa: E402
import wrk  # noqa: E402

from webapp.articles.library import Library  # noqa: E402
from webapp.articles.loader import load_articles  # noqa: E402

ROOT = servers.ROOT
BR = {"Accept-Encoding": "br"}
HTMX_BR = {**BR, "HX-Request": "true"}
SECONDS = int(os.environ.get("BENCH_SECONDS", wrk.SECONDS))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 5))  # interleaved runs per target; the median is kept
# A subset for a quicker look, e.g. BENCH_PARTS=insights for issue 20's events alone.
PARTS = set(os.environ.get("BENCH_PARTS", "servers,site,insights,scale,search").split(","))
BEGAN = time.perf_counter()
FLOOR_APP = "bench.floor_app:app"  # issue 18's floor: one Flask route answering the article's bytes


def heading(text: str) -> None:
    """A section title."""
    print(f"\n== {text} ==", flush=True)


def row(label: str, result: wrk.Result) -> None:
    """One measured line."""
    print(f"  {label:<34} {result.line()}", flush=True)


def goal(label: str, ratio: float, target: float) -> str:
    """A ratio against its goal."""
    mark = "ok" if ratio >= target else "BELOW GOAL"
    return f"  {label:<34} {ratio:>6.1%}   (goal >= {target:.0%}: {mark})"


def per_round(runs: list[wrk.Result], against: list[wrk.Result]) -> str:
    """Each round's ratio, in brackets."""
    return "  [" + ", ".join(f"{ratio:.0%}" for ratio in wrk.round_ratios(runs, against)) + "]"


def compare_servers(instance: Path, env: dict, path: str, work: Path) -> None:
    """The floor (the minimal Flask app), our /healthz and the warm article on each candidate server."""
    heading(f"Production server candidates ({servers.WORKERS} workers each; wrk 1 thread, "
            f"{wrk.CONNECTIONS} connections, median of {ROUNDS} interleaved {SECONDS} s runs)")  # fmt: skip
    floor_body = work / "floor-body.br"
    for kind in servers.COMMANDS:
        server = servers.start(kind, instance, env)
        floor = None
        try:
            for _ in range(3):
                _, _, body = servers.get(server.url + path, BR)
            floor_body.write_bytes(body)
            floor = servers.start(kind, instance, {"FLOOR_BODY": str(floor_body)}, app=FLOOR_APP, probe="/")
            result = wrk.interleaved(
                {
                    "floor": (floor.url + "/", BR),
                    "healthz": (server.url + "/healthz", {}),
                    "article": (server.url + path, BR),
                },
                ROUNDS,
                SECONDS,
            )
        finally:
            servers.stop(server)
            if floor:
                servers.stop(floor)
        row(f"{kind}: floor (minimal Flask app)", result["floor"])
        row(f"{kind}: our GET /healthz", result["healthz"])
        row(f"{kind}: article (br)", result["article"])
        print(f"  {kind}: article/floor {result['article'].rps / result['floor'].rps:.1%}", flush=True)


def signups(server: servers.Server, slug: str, instance: Path) -> None:
    """Distinct-email signups under load, then the rows counted."""
    status, _, _ = servers.get(server.url + "/newsletter/signup", data=b"")
    if status in (404, 405):
        print("  signups: POST /newsletter/signup does not exist yet: not measured")
        return
    result = wrk.run(server.url + "/newsletter/signup", lua=wrk.SIGNUP_LUA.replace("ARTICLE", slug),
                     seconds=SECONDS, connections=4)  # fmt: skip
    row("signups (distinct emails)", result)
    with sqlite3.connect(instance / "healthytips.sqlite3") as db:
        rows = db.execute("SELECT count(*) FROM signups WHERE email LIKE 'bench-%'").fetchone()[0]
    thanks = result.requests - result.bad
    lost = max(0, thanks - rows)
    print(f"  signups: {thanks} thank-you replies, {rows} rows stored, {lost} lost "
          f"(rows may exceed replies by requests in flight when wrk stopped)")  # fmt: skip
    mixed(server, slug, instance)


def mixed(server: servers.Server, slug: str, instance: Path) -> None:
    """Issue 8's mixed load: 90% articles, 8% FAQ fragments, 2% signups; no 5xx, no signup lost."""
    lua = wrk.MIXED_LUA.replace("ARTICLE", slug)
    result, output = wrk.run_with_output(server.url + "/", lua=lua, seconds=2 * SECONDS, connections=8)
    row("mixed 90/8/2 (articles/FAQ/signups)", result)
    thanks, failed = (int(n) for n in re.search(r"MIXED thanks=(\d+) failed=(\d+)", output).groups())
    with sqlite3.connect(instance / "healthytips.sqlite3") as db:
        rows = db.execute("SELECT count(*) FROM signups WHERE email LIKE 'mixed-%'").fetchone()[0]
    verdict = "ok" if failed == 0 and rows >= thanks else "FAILED"
    print(f"  mixed: {failed} responses 5xx, {thanks} signup thank-yous, {rows} rows stored, "
          f"{max(0, thanks - rows)} lost ({verdict})")  # fmt: skip


def main() -> None:
    """Run every measurement in a scratch folder, removed afterwards (the 10,000 articles are kept)."""
    work = Path(tempfile.mkdtemp(prefix="healthytips-bench-run-"))
    try:
        measure(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure(work: Path) -> None:
    """Run every measurement and print the report."""
    content = Path(os.environ.get("FLASK_CONTENT_DIR") or ROOT / "content")
    env = {
        "FLASK_CONTENT_DIR": str(content),
        "FLASK_SECRET_KEY": "bench-secret-" + "0123456789abcdef" * 3,  # 32 bytes or more (issue 16)
        "FLASK_SIGNUP_RATE_LIMIT": "1000000 per minute",
        "FLASK_CONTENT_RELOAD_SECONDS": "0",
    }
    articles, problems = load_articles(content, ROOT / "static")
    if problems:
        sys.exit("content/ has problems; run `flask content check`:\n" + "\n".join(map(str, problems)))
    article = Library.build(articles).articles[0]
    path = f"/articles/{article.slug}"
    instance = work / "instance"
    servers.prepare_instance(instance, env)
    print(f"Healthy Tips bench: {len(articles)} articles, article {path}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f} at start")  # fmt: skip
    if "servers" in PARTS:
        compare_servers(instance, env, path, work)
    if "site" in PARTS:
        site(work, instance, env, path, article)
    if "insights" in PARTS:
        heading(f"Article insights: beacon events, wrk 1 thread, {wrk.CONNECTIONS} connections, {SECONDS} s")
        insights_load.report(instance, env, article.slug, SECONDS)
    if "scale" in PARTS:
        heading("Scale: shipped library vs 10,000 generated articles")
        scale.report(work, env, content, article.slug, len(articles), SECONDS, ROUNDS)
    if "search" in PARTS:  # alone: .venv/bin/python bench/search.py (or BENCH_PARTS=search)
        heading("Search: latency, index build and size, start-up with the index")
        search_bench.report(work, env, content)
    print(f"\nDone in {time.perf_counter() - BEGAN:.0f} s; load average {os.getloadavg()[0]:.1f} at the end.")


def site(work: Path, instance: Path, env: dict, path: str, article) -> None:
    """The production server under load, against nginx's limit and the floor; signups; page weight."""
    heading(f"Site under load: production server = {servers.PRODUCTION}")
    server = servers.start(servers.PRODUCTION, instance, env)
    nginx = None
    try:
        status, headers, body = servers.get(server.url + path, BR)
        assert status == 200 and headers.get("Content-Encoding") == "br", (status, headers)
        static_root = work / "static-limit"
        static_root.mkdir()
        (static_root / "article.html.br").write_bytes(body)
        limit_port, proxy_port, https_port, http_port = (servers.free_port() for _ in range(4))
        cert, key = nginx_harness.self_signed(work)
        site = nginx_harness.site_config(work / "nginx", server.url.removeprefix("http://"), http_port,
                                         https_port, cert, key)  # fmt: skip
        site = nginx_harness.plain_http_site(site, proxy_port)
        static = nginx_harness.STATIC_SERVER.format(port=limit_port, root=static_root)
        conf = nginx_harness.write(work / "nginx", static + site, workers=servers.WORKERS)
        nginx = nginx_harness.start(conf, proxy_port)
        proxied = f"http://127.0.0.1:{proxy_port}{path}"
        for _ in range(2):
            _, proxy_headers, proxy_body = servers.get(proxied, BR)
        assert proxy_headers.get("X-Cache-Status") == "HIT" and proxy_body == body, proxy_headers

        floor_body = work / "floor-body.br"
        floor_body.write_bytes(body)
        floor = servers.start(servers.PRODUCTION, instance, {"FLOOR_BODY": str(floor_body)}, app=FLOOR_APP,
                              probe="/")  # fmt: skip
        app_pid = server.process.pid
        try:
            runs = wrk.interleaved_runs(
                {
                    "1. limit: nginx static file": (f"http://127.0.0.1:{limit_port}/article", BR, nginx.pid),
                    "2. floor: minimal Flask app": (floor.url + "/", BR, floor.process.pid),
                    "3. article, warm (br)": (server.url + path, BR, app_pid),
                    "4. article behind nginx cache": (proxied, BR, nginx.pid),
                    "5. FAQ fragment (htmx, br)": (server.url + path + "/faq/1", HTMX_BR, app_pid),
                    "5. home page (br)": (server.url + "/", BR, app_pid),
                    "6. our GET /healthz": (server.url + "/healthz", {}, app_pid),
                },
                ROUNDS,
                SECONDS,
            )
        finally:
            servers.stop(floor)
        main = {label: wrk.median(results) for label, results in runs.items()}
        for label, result in main.items():
            row(label, result)
        limit, floor_result, warm, behind, faq, home, healthz = main.values()
        signups(server, article.slug, instance)

        heading("Ratios (requests a second: the median of the rounds' ratios, each round's in brackets)")
        floor_runs, limit_runs = runs["2. floor: minimal Flask app"], runs["1. limit: nginx static file"]
        pairs = (
            ("article / floor", "3. article, warm (br)", floor_runs, 1.0),
            ("FAQ fragment / floor", "5. FAQ fragment (htmx, br)", floor_runs, 1.0),
            ("home page / floor", "5. home page (br)", floor_runs, 1.0),
            ("proxied article / nginx limit", "4. article behind nginx cache", limit_runs, 0.90),
        )
        for label, target, against, goal_ratio in pairs:
            ratio = wrk.paired_ratio(runs[target], against)
            print(goal(label, ratio, goal_ratio) + per_round(runs[target], against))
        print(f"  {'our /healthz / floor':<34} {healthz.rps / floor_result.rps:>6.1%}   (printed, no goal)")
        print(f"  {'article / nginx limit':<34} {warm.rps / limit.rps:>6.1%}   (printed, no goal)")
        heading("The same by CPU time per request (the serving processes'; a busy machine moves it little)")
        for label, target, against, goal_ratio in pairs:
            print(goal(label, wrk.cpu_ratio(runs[target], against), goal_ratio))

        heading("First-load transfer of the article (compressed as served, no images)")
        weight.report(server.url, path)
    finally:
        if nginx:
            nginx_harness.stop(nginx)
        servers.stop(server)


if __name__ == "__main__":
    main()

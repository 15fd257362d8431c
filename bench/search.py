"""Search figures (issue 17): latency in-process and through the server, at the shipped library and at
10,000 generated articles; the index's build time and size; the start-up with and without the index.

    .venv/bin/python bench/search.py        # this part alone (`make bench` runs it too)

Queries are what readers type: words of article titles (one word), and two neighbouring title words
(two words), each asked once uncached; through the server, then once more from the page cache.
"""

import dataclasses
import os
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

import scale  # noqa: E402
import servers  # noqa: E402

from webapp import create_app  # noqa: E402
from webapp.articles.library import load_library  # noqa: E402
from webapp.search import index, query  # noqa: E402

ROOT = servers.ROOT
QUERIES = int(os.environ.get("BENCH_SEARCH_QUERIES", 200))  # per set
SECRET = "bench-secret-" + "0123456789abcdef" * 3
STOP = {"what", "your", "with", "about", "from", "that", "this", "when", "know", "guide", "plain",
        "helps", "common", "questions", "their", "they", "does", "than", "after", "before", "into",
        "over"}  # fmt: skip


def spread(samples: list[float]) -> str:
    """p50 and p99 of durations in seconds, in milliseconds."""
    ordered = sorted(samples)
    p50 = ordered[len(ordered) // 2]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {p50 * 1000:6.2f} ms  p99 {p99 * 1000:6.2f} ms"


def query_sets(library, seed: int = 17) -> dict[str, list[str]]:
    """One-word and two-word queries from the titles of the library's articles."""
    rng = random.Random(seed)
    ones, twos = [], []
    for article in rng.sample(list(library.articles), min(len(library.articles), QUERIES * 4)):
        words = [w for w in re.findall(r"[A-Za-z]{4,}", article.title) if w.lower() not in STOP]
        ones += words[:1]
        twos += [f"{a} {b}".lower() for a, b in zip(words, words[1:], strict=False)][:1]
    ones = [w.lower() for w in ones]
    return {"one word": (ones * QUERIES)[:QUERIES], "two words": (twos * QUERIES)[:QUERIES] or ones[:1]}


def in_process(app, sets: dict[str, list[str]]) -> None:
    """The query alone (ranking, marks, snippets; wall time and this thread's CPU time, which a busy
    machine inflates less) and the whole uncached page, in this process."""
    store, pages = app.extensions["search"]
    client = app.test_client()
    for label, texts in sets.items():
        searched, cpu, served = [], [], []
        for text in texts:
            found = query.words(text)
            began, used = time.perf_counter(), time.thread_time()
            query.search(store.connection(), found, 0, 10)
            searched.append(time.perf_counter() - began)
            cpu.append(time.thread_time() - used)
            pages.queries.clear()
            began = time.perf_counter()
            response = client.get("/search", query_string={"q": text})
            served.append(time.perf_counter() - began)
            assert response.status_code == 200, (text, response.status_code)
        load = os.getloadavg()[0]
        print(f"    {label:<10} query {spread(searched)} (CPU {spread(cpu)}; load {load:.1f})", flush=True)
        print(f"    {'':<10} page, uncached {spread(served)}", flush=True)


def spelt(text: str, n: int) -> str:
    """The n-th way of writing a query in upper and lower case: a query the page cache has not seen."""
    return "".join(c.upper() if n >> (i % 16) & 1 else c for i, c in enumerate(text))


def through_server(url: str, sets: dict[str, list[str]]) -> None:
    """GET /search over HTTP on loopback, one request at a time: first uncached, then cached."""
    for label, texts in sets.items():
        rounds = {"uncached": [], "cached": []}
        for name in rounds:
            for n, text in enumerate(texts):
                asked = spelt(text, n + 1) if name == "uncached" else text
                target = f"{url}/search?q={asked.replace(' ', '+')}"
                began = time.perf_counter()
                status, headers, _ = servers.get(target, {"Accept-Encoding": "br"})
                rounds[name].append(time.perf_counter() - began)
                assert status == 200, (target, status)
        print(f"    {label:<10} uncached {spread(rounds['uncached'])}   cached {spread(rounds['cached'])}")


def build(content: Path, work: Path) -> None:
    """Index build from scratch, its size, an incremental rebuild and a reuse, at one library."""
    library = load_library(content, ROOT / "static", ROOT / "templates", work / "parse-cache.marshal")
    folder = work / "index"
    shutil.rmtree(folder, ignore_errors=True)
    began, cpu = time.perf_counter(), time.process_time()
    path = index.ensure(folder, library)
    wall, used = time.perf_counter() - began, time.process_time() - cpu
    size = path.stat().st_size / 1e6
    count = len(library.articles)
    print(f"    built in {wall:.1f} s ({used:.1f} s of CPU), {size:.0f} MB ({size * 1e3 / count:.1f} kB "
          f"per article) for {count:,} articles")  # fmt: skip
    began = time.perf_counter()
    index.ensure(folder, library)
    print(f"    found again (same content): {(time.perf_counter() - began) * 1000:.1f} ms")
    first = library.articles[0]
    changed = dataclasses.replace(first, title=first.title + " (new)")
    edited = type(library).build([changed, *library.articles[1:]], library.version + "-edited")
    began = time.perf_counter()
    index.ensure(folder, edited)
    seconds = time.perf_counter() - began
    print(f"    one article edited: new index file in {seconds:.2f} s (a copy, one article re-indexed)")


def starts(content: Path, work: Path, env: dict) -> None:
    """Server start-up: cold, warm with the index, and warm with the parse cache but no index."""
    instance = work / f"starts-{content.name}"
    servers.prepare_instance(instance, env)
    env = {**env, "FLASK_CONTENT_DIR": str(content)}
    cold = servers.start(servers.PRODUCTION, instance, env, timeout=600)
    servers.stop(cold)
    warm = servers.start(servers.PRODUCTION, instance, env, timeout=600)
    servers.stop(warm)
    shutil.rmtree(instance / "search")
    rebuilt = servers.start(servers.PRODUCTION, instance, env, timeout=600)
    servers.stop(rebuilt)
    verdict = "ok" if warm.started < 3 else "NO"
    print(f"    start: cold {cold.started:.2f} s; warm with the index {warm.started:.2f} s (goal < 3 s: "
          f"{verdict}); warm, index built at start {rebuilt.started:.2f} s")  # fmt: skip


def library_figures(label: str, content: Path, work: Path, env: dict) -> None:
    """Every figure for one library."""
    print(f"  {label}:", flush=True)
    build(content, work / f"build-{content.name}")
    instance = work / f"app-{content.name}"
    servers.prepare_instance(instance, env)  # the signups database, as a server has it
    app = create_app({"SECRET_KEY": SECRET, "INSTANCE_PATH": str(instance), "CONTENT_DIR": str(content)})
    sets = query_sets(app.extensions["library"])
    print("   in-process:")
    in_process(app, sets)
    server_instance = work / f"server-{content.name}"
    servers.prepare_instance(server_instance, env)
    server = servers.start(
        servers.PRODUCTION, server_instance, {**env, "FLASK_CONTENT_DIR": str(content)}, timeout=600
    )
    try:
        print(f"   through the server ({servers.PRODUCTION}, loopback, one request at a time):")
        through_server(server.url, sets)
    finally:
        servers.stop(server)
    starts(content, work, env)


def report(work: Path, env: dict, content: Path) -> None:
    """The search figures at the shipped library and at 10,000 generated articles."""
    library_figures("shipped library", content, work, env)
    library_figures(f"{scale.LARGE:,} generated articles", scale.generated(scale.LARGE), work, env)
    print("  goals at 10,000: p50 < 5 ms and p99 < 20 ms in-process for one- and two-word queries;\n"
          "  warm start with the index < 3 s. Figures only: the machine is shared and noisy.")  # fmt: skip


def main() -> None:
    """This part of the bench alone, in a scratch folder removed afterwards."""
    work = Path(tempfile.mkdtemp(prefix="healthytips-bench-search-"))
    env = {"FLASK_SECRET_KEY": SECRET, "FLASK_CONTENT_RELOAD_SECONDS": "0"}
    try:
        print(f"== Search (load average {os.getloadavg()[0]:.1f} at start) ==", flush=True)
        report(work, env, Path(os.environ.get("FLASK_CONTENT_DIR") or ROOT / "content"))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

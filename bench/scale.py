"""Scale: the shipped library against 10,000 generated articles, measured the same way."""

import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import servers
import wrk

ROOT = servers.ROOT
GENERATOR = ROOT / "scripts" / "generate_articles.py"
LARGE = 10_000
BR = {"Accept-Encoding": "br"}

# Schema validation of every file, then the reading grade of a sample (the slow part of the check).
CHECK_SAMPLE = """
import sys, time
from pathlib import Path
from webapp.articles.cli import article_grade
from webapp.articles.loader import load_articles
began = time.perf_counter()
articles, problems = load_articles(Path(sys.argv[1]), Path(sys.argv[2]))
validated = time.perf_counter() - began
sample = articles[:: max(1, len(articles) // 100)]
began = time.perf_counter()
for article in sample:
    article_grade(article)
print(validated, (time.perf_counter() - began) / len(sample), len(problems))
"""


def generated(count: int) -> Path:
    """A folder of `count` generated articles, reused while the generator is unchanged."""
    stamp = hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"healthytips-bench-{count}-{stamp}"
    if not (folder / ".complete").exists():
        subprocess.run([sys.executable, str(GENERATOR), str(count), str(folder)], check=True)
        (folder / ".complete").touch()
    return folder


def check_seconds(folder: Path, instance: Path, env: dict, count: int) -> str:
    """`flask content check` time: measured whole for a small library, extrapolated for a large one."""
    environment = {
        **os.environ,
        **env,
        "FLASK_CONTENT_DIR": str(folder),
        "FLASK_INSTANCE_PATH": str(instance),
    }
    if count <= 200:
        began = time.perf_counter()
        subprocess.run([str(servers.BIN / "flask"), "--app", "app", "content", "check"], cwd=ROOT,
                       env=environment, capture_output=True)  # fmt: skip
        return f"{time.perf_counter() - began:.1f} s"
    done = subprocess.run([sys.executable, "-c", CHECK_SAMPLE, str(folder), str(ROOT / "static")], cwd=ROOT,
                          env=environment, capture_output=True, text=True, check=True)  # fmt: skip
    validated, per_grade, _ = (float(x) for x in done.stdout.split())
    total = validated + per_grade * count
    return f"~{total:.0f} s (schema {validated:.1f} s + grades {per_grade * 1000:.0f} ms each, sampled)"


def start(label: str, folder: Path, work: Path, env: dict, count: int) -> dict:
    """Cold then warm start-up of one library, and a deploy's start: `flask content build-cache` on a
    fresh instance folder (timed), then the first start there. The warm server is left running."""
    release, instance = work / f"scale-{count}-release", work / f"scale-{count}"
    for empty in (release, instance):  # the database only: on the shipped content, parsed in no time
        servers.prepare_instance(empty, env)
    env = {**env, "FLASK_CONTENT_DIR": str(folder)}
    environment = {**os.environ, **env, "FLASK_INSTANCE_PATH": str(release)}
    began = time.perf_counter()
    subprocess.run([str(servers.BIN / "flask"), "--app", "app", "content", "build-cache"], cwd=ROOT,
                   env=environment, check=True, capture_output=True)  # fmt: skip
    built = time.perf_counter() - began
    deployed = servers.start(servers.PRODUCTION, release, env, timeout=300)
    servers.stop(deployed)
    cold = servers.start(servers.PRODUCTION, instance, env, timeout=300)
    servers.stop(cold)
    server = servers.start(servers.PRODUCTION, instance, env, timeout=300)
    rss, pss = servers.memory_mb(server)
    return {"label": label, "cold": cold.started, "warm": server.started, "rss": rss, "pss": pss,
            "built": built, "deployed": deployed.started,
            "server": server, "folder": folder, "instance": instance, "env": env, "count": count}  # fmt: skip


def report(work: Path, env: dict, content: Path, slug: str, count: int, seconds: int, rounds: int) -> None:
    """Print the scale table and its goals (both libraries' articles loaded in turn, medians kept)."""
    small = start(f"shipped ({count})", content, work, env, count)
    large = start(f"{LARGE:,}", generated(LARGE), work, env, LARGE)
    try:
        targets = {}
        for row, article in ((small, slug), (large, "synthetic-05000")):
            url = f"{row['server'].url}/articles/{article}"
            for _ in range(3):
                status, _, _ = servers.get(url, BR)
                assert status == 200, (url, status)
            targets[row["label"]] = (url, BR)
        results = wrk.interleaved(targets, rounds, seconds)
    finally:
        for row in (small, large):
            servers.stop(row["server"])
    for row in (small, large):
        row["result"] = results[row["label"]]
        row["check"] = check_seconds(row["folder"], row["instance"], row["env"], row["count"])
    print(f"  {'library':<14} {'cold start':>10} {'warm start':>10} {'RSS sum':>9} {'PSS sum':>9}   article")
    for row in (small, large):
        print(f"  {row['label']:<14} {row['cold']:>8.2f} s {row['warm']:>8.2f} s {row['rss']:>6.0f} MB "
              f"{row['pss']:>6.0f} MB   {row['result'].line()}")  # fmt: skip
    for row in (small, large):
        print(f"  deploy, {row['label']}: flask content build-cache {row['built']:.2f} s, then the first "
              f"start of that fresh instance {row['deployed']:.2f} s")  # fmt: skip
    for row in (small, large):
        print(f"  flask content check, {row['label']}: {row['check']}")
    slower = large["result"].p50_ms / small["result"].p50_ms - 1
    fast = "ok" if large["warm"] < 3 else "NO"
    deployed = "ok" if large["deployed"] < 5 else "NO"
    print(f"  goals at {LARGE:,}: deploy's first start {large['deployed']:.2f} s (< 5 s: {deployed}), "
          f"cold start without the build-cache step {large['cold']:.2f} s (printed)")  # fmt: skip
    print(f"  goals at {LARGE:,}: warm start {large['warm']:.2f} s (< 3 s: {fast}), "
          f"memory {large['pss']:.0f} MB PSS (< 300 MB: {'ok' if large['pss'] < 300 else 'NO'}), "
          f"warm p50 {slower:+.1%} vs shipped (within 10%: {'ok' if slower <= 0.10 else 'NO'})")  # fmt: skip
    print(
        "  cold start = first start of a new instance folder (every file parsed, in parallel); warm start =\n"
        "  the next start (unchanged files come from the parse cache in the instance folder); a deploy runs\n"
        "  `flask content build-cache` where the release is built, so its first start is a warm one.\n"
        "  Start = exec to first answer of /healthz. Memory after start-up, master and workers summed.\n"
        "  Articles: median of interleaved runs."
    )

"""Lighthouse 12 (npm, pinned) on Debian's Chromium, mobile and desktop, with HTML reports."""

import ast
import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from audit.server import ROOT

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROMIUM = os.environ.get("CHROME_PATH") or "/usr/bin/chromium"
# A page answering 404 on purpose cannot pass these SEO audits, and should not: they are waived there.
WAIVED_FOR_ERRORS = {"http-status-code", "is-crawlable"}


def chromium_args() -> list[str]:
    """The headless flags the browser tests use (read from tests/browser/conftest.py, one source)."""
    tree = ast.parse((ROOT / "tests" / "browser" / "conftest.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", "") == "CHROMIUM_ARGS" for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise RuntimeError("CHROMIUM_ARGS not found in tests/browser/conftest.py")


@dataclass
class LighthouseResult:
    """Category scores (0-100) and the audits that cost points."""

    scores: dict[str, int | None]
    failures: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def passed(self) -> bool:
        """100 in every category and no errored audit."""
        return not self.error and all(self.scores.get(c) == 100 for c in CATEGORIES)


def _score(report: dict, category: str, waived: set[str]) -> tuple[int | None, list[str]]:
    """A category's score with waived audits left out, and its audits below 1."""
    total = weighted = 0.0
    failures = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if audit["scoreDisplayMode"] == "error":
            failures.append(f"{category}/{ref['id']}: errored: {audit.get('errorMessage', '')}")
        if ref["id"] in waived or ref["weight"] == 0 or audit["score"] is None:
            continue
        total += ref["weight"]
        weighted += ref["weight"] * audit["score"]
        if audit["score"] < 1:
            shown = audit.get("displayValue", "")
            failures.append(f"{category}/{ref['id']}: {audit['score']:.2f} {shown}".rstrip())
    if not waived:
        official = report["categories"][category]["score"]
        return (None if official is None else int(official * 100 + 0.5)), failures
    return (int(100 * weighted / total + 0.5) if total else None), failures


def run_lighthouse(
    url: str, name: str, form_factor: str, reports: Path, status: int = 200
) -> LighthouseResult:
    """Run Lighthouse once; write reports/<name>-<form factor>.report.{html,json}."""
    output = reports / f"lighthouse-{name.replace(':', '-')}-{form_factor}"
    flags = " ".join(["--headless=new", *chromium_args()])
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={flags}",
        "--output=json",
        "--output=html",
        f"--output-path={output}",
    ]
    if form_factor == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
    json_path = output.with_name(output.name + ".report.json")
    if done.returncode != 0 or not json_path.exists():
        return LighthouseResult({c: None for c in CATEGORIES}, error=(done.stderr or done.stdout)[-600:])
    report = json.loads(json_path.read_text())
    if report.get("runtimeError"):
        return LighthouseResult({c: None for c in CATEGORIES}, error=report["runtimeError"]["message"])
    waived = WAIVED_FOR_ERRORS if status >= 400 else set()
    scores, failures = {}, []
    for category in CATEGORIES:
        scores[category], lost = _score(report, category, waived)
        failures += lost
    errored = [f for f in failures if "errored" in f]
    return LighthouseResult(scores, failures, error="; ".join(errored))

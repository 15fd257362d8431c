"""`make audit`: run every check on every page type, print one table, exit 1 below the bar."""

import argparse
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from audit.axe_check import SCHEMES, run_axe
from audit.crawl import crawl
from audit.html_check import run_vnu
from audit.lighthouse import CATEGORIES, LighthouseResult, run_lighthouse
from audit.pages import AuditPage, audit_pages
from audit.server import ROOT, fetch, start_server, stop_server

FORM_FACTORS = ("mobile", "desktop")


def log(message: str) -> None:
    """Progress on stderr, so stdout holds the table."""
    print(message, file=sys.stderr, flush=True)


def _lighthouse_cell(result: LighthouseResult | None) -> tuple[str, bool]:
    """Four scores in category order (perf, a11y, best practices, SEO), and whether they pass."""
    if result is None:
        return "skipped", True
    if result.error and not any(result.scores.values()):
        return "error", False
    text = " ".join("-" if s is None else str(s) for s in result.scores.values())
    return text + ("*" if result.waived else "") + (
        f" ({result.runs} runs)" if result.runs > 1 else ""
    ), result.passed


def _count_cell(problems: list[str] | None) -> tuple[str, bool]:
    """ "ok" or the number of problems."""
    if problems is None:
        return "-", True
    return ("ok", True) if not problems else (f"{len(problems)} errors", False)


def host_notes(results: list[LighthouseResult]) -> list[str]:
    """Lighthouse's warnings about the run, with the host's CPU benchmark (a busy host inflates TBT)."""
    marks = sorted(r.benchmark for r in results if r.benchmark)
    notes = sorted({w for r in results for w in r.warnings})
    if marks:
        notes.append(f"host CPU benchmarkIndex {marks[0]:.0f}-{marks[-1]:.0f} (Lighthouse's 4x mobile CPU")
        notes[-1] += " throttling assumes an idle desktop-class host: other work on the machine inflates TBT)"
    return notes


def audit(
    base_url: str, reports: Path, lighthouse: bool, only: str = ""
) -> tuple[list[list[str]], list[str], bool, list[str]]:
    """Run every check: table rows, every failure, whether the bar is met, and notes on the host."""
    pages = [p for p in audit_pages(base_url) if only in p.name]
    log(f"auditing {len(pages)} pages: {', '.join(p.name for p in pages)}")
    statuses = {p.name: fetch(base_url + p.path)[0] for p in pages}
    log("crawling links and assets from the home page")
    broken, crawled = crawl(base_url)
    by_path = {p.path: p.name for p in pages}
    links = {p.name: [] for p in pages} | {"(other pages)": []}
    for source, problems in broken.items():
        links[by_path.get(urlsplit(source).path, "(other pages)")] += problems
    log("checking HTML with the Nu HTML Checker")
    html = run_vnu(base_url, pages)
    log("running axe-core (light and dark)")
    axe = run_axe(base_url, pages)
    lh: dict[tuple[str, str], LighthouseResult] = {}
    if lighthouse:
        for page in pages:
            for form_factor in FORM_FACTORS:
                log(f"lighthouse {form_factor}: {page.path}")
                lh[page.name, form_factor] = run_lighthouse(
                    base_url + page.path, page.name, form_factor, reports, page.status, page.waived
                )
    rows, details, ok = [], [], True
    extra = [AuditPage("site.css", ""), AuditPage(f"(other pages, {crawled} URLs crawled)", "")]
    for page in pages + extra:
        name = page.name if page.path or page.name == "site.css" else "(other pages)"
        status = statuses.get(page.name)
        cells = [(str(status) if status else "-", status == page.status if status else True)]
        cells += [_lighthouse_cell(lh.get((page.name, f))) for f in FORM_FACTORS]
        cells += [_count_cell(axe.get((page.name, s))) for s in SCHEMES]
        cells += [_count_cell(html.get(name)), _count_cell(links.get(name))]
        rows.append([page.name] + [text + ("" if good else " ✗") for text, good in cells])
        ok = ok and all(good for _, good in cells)
        for form_factor in FORM_FACTORS:
            result = lh.get((page.name, form_factor))
            details += [
                f"{page.name} lighthouse {form_factor}: {f}" for f in (result.failures if result else [])
            ]
            if result and result.error:
                details.append(f"{page.name} lighthouse {form_factor}: ERROR {result.error}")
        for scheme in SCHEMES:
            details += [f"{page.name} axe {scheme}: {v}" for v in axe.get((page.name, scheme), [])]
        details += [f"{page.name} html: {e}" for e in html.get(name, [])]
        details += [f"{name} link: {e}" for e in links.get(name, []) if name == page.name or not page.path]
    return rows, details, ok, host_notes(list(lh.values()))


def table(rows: list[list[str]]) -> str:
    """A plain-text table with a header row."""
    lh = "P A BP SEO"
    header = [
        "page",
        "status",
        f"lighthouse mobile ({lh})",
        f"lighthouse desktop ({lh})",
        "axe light",
        "axe dark",
        "html",
        "links",
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Start the server, audit it, print the table; 0 only when every check meets the bar."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-lighthouse", action="store_true", help="skip Lighthouse (the slow part)")
    parser.add_argument("--reports", type=Path, default=ROOT / "reports")
    parser.add_argument("--only", default="", help="audit only the pages whose name contains this")
    args = parser.parse_args(argv)
    args.reports.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as instance:
        process, base_url = start_server(Path(instance))
        try:
            rows, details, ok, notes = audit(base_url, args.reports, not args.no_lighthouse, args.only)
        finally:
            stop_server(process)
    print(table(rows))
    print(f"\nLighthouse: categories {', '.join(CATEGORIES)}; HTML reports in {args.reports}/")
    print("* audits waived where a page must fail them by design (docs/audit.md): on the 404 page")
    print("  http-status-code, is-crawlable and its own 404 in the console; is-crawlable on noindex pages.")
    print("(3 runs): performance below 100 on the first run, so the median of three runs is shown.")
    for note in notes:
        print(f"Note: {note}")
    if details:
        print("\nBelow the bar:\n" + "\n".join(f"- {d}" for d in details))
    verdict = "meets the bar" if ok else "BELOW THE BAR"
    print(f"\n{verdict} ({time.monotonic() - started:.0f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

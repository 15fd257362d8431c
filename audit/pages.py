"""Which pages the audit visits: home, a tag page, every article, the extra pages that exist, the 404."""

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from audit.server import ROOT, fetch
from webapp.articles.loader import load_or_fail

# Pages built by other issues: audited as soon as the server answers them with 200.
OPTIONAL_PAGES = (("offline", "/offline"), ("thanks", "/newsletter/thanks"))
MISSING_PATH = "/this-page-does-not-exist"
NOINDEX = re.compile(rb"<meta[^>]+name=[\"']robots[\"'][^>]+noindex", re.IGNORECASE)


@dataclass(frozen=True)
class AuditPage:
    """One page to audit: a short name for the table, its path and the status it must answer with."""

    name: str
    path: str
    status: int = 200
    article: bool = False
    # Lighthouse SEO audits that this page must fail by design (a 404 answers 404; a noindex page
    # asks not to be indexed): left out of its SEO score, and marked * in the table.
    waived: frozenset[str] = field(default_factory=frozenset)


def content_dir() -> Path:
    """The content folder the server reads (FLASK_CONTENT_DIR, else the shipped content/)."""
    return Path(os.environ.get("FLASK_CONTENT_DIR") or ROOT / "content")


def audit_pages(base_url: str) -> list[AuditPage]:
    """Every page type, with every article, in the order the table shows them."""
    articles = sorted(load_or_fail(content_dir(), ROOT / "static"), key=lambda a: a.slug)
    pages = [AuditPage("home", "/")]
    tags = sorted({tag for article in articles for tag in article.tags})
    if tags:
        pages.append(AuditPage(f"tag:{tags[0]}", f"/tags/{tags[0]}"))
    pages += [AuditPage(a.slug, f"/articles/{a.slug}", article=True) for a in articles]
    for name, path in OPTIONAL_PAGES:
        status, body, _ = fetch(base_url + path)
        if status == 200:
            pages.append(
                AuditPage(name, path, waived=frozenset({"is-crawlable"} if NOINDEX.search(body) else ()))
            )
    pages.append(
        AuditPage("404", MISSING_PATH, status=404, waived=frozenset({"http-status-code", "is-crawlable"}))
    )
    return pages

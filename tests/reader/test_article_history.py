"""The article's history on its page: newest first, dated, and the same dates in its JSON-LD."""

import json
import shutil
from pathlib import Path

import lxml.html
import pytest

from webapp import create_app
from webapp.articles.loader import load_articles

ROOT = Path(__file__).resolve().parents[2]
SLUG = "gut-melatonin-sleep"
FRESH = "probiotics-what-we-know"  # rewritten below as a never-updated article


@pytest.fixture(scope="module")
def client(tmp_path_factory, static_build_dir):
    """An app whose content has a two-entry history on SLUG and no history on FRESH."""
    folder = tmp_path_factory.mktemp("content")
    for path in (ROOT / "content").glob("*.md"):
        if path.name != "README.md":
            shutil.copy(path, folder / path.name)
    logged = folder / f"{SLUG}.md"
    text = logged.read_text(encoding="utf-8")
    older = '  - date: 2026-11-20\n    note: "Added the <2025> review & its figures."\n'
    logged.write_text(text.replace("\nauthor:", f"\n{older}author:", 1), encoding="utf-8")
    fresh = folder / f"{FRESH}.md"
    text = fresh.read_text(encoding="utf-8")
    start, end = text.index("\nchanges:"), text.index("\nauthor:")
    text = text[:start] + text[end:]
    published = text.split("published: ", 1)[1].split("\n", 1)[0]
    fresh.write_text(text.replace("updated: 2026-12-02", f"updated: {published}", 1), encoding="utf-8")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-of-32-bytes-or-more",
            "CONTENT_DIR": str(folder),
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
            "STATIC_BUILD_DIR": str(static_build_dir),
        }
    )
    return app.test_client()


def page(client, slug: str):
    """An article page, parsed."""
    response = client.get(f"/articles/{slug}")
    assert response.status_code == 200
    return lxml.html.fromstring(response.get_data(as_text=True))


def json_ld(doc, kind: str) -> dict:
    """One node of the page's JSON-LD graph, by type."""
    (script,) = doc.xpath("//script[@type='application/ld+json']")
    (node,) = [n for n in json.loads(script.text)["@graph"] if n["@type"] == kind]
    return node


def test_history_is_shown_near_the_sources_newest_first(client):
    doc = page(client, SLUG)
    (history,) = doc.xpath("//*[@id='article-history']")
    assert history.xpath("string(.//h2)") == "Article history"
    entries = history.xpath(".//li")
    assert [li.xpath("string(.//time/@datetime)") for li in entries] == ["2026-12-02", "2026-11-20"]
    assert [li.xpath("string(.//time)") for li in entries] == ["December 2, 2026", "November 20, 2026"]
    assert "Added the <2025> review & its figures." in entries[1].text_content()  # text, not markup
    shipped = load_articles(ROOT / "content", ROOT / "static")[0]
    assert next(a for a in shipped if a.slug == SLUG).changes[0].note in entries[0].text_content()
    after_sources = doc.xpath("//section[@aria-labelledby='references']/following-sibling::*[1]")
    assert after_sources == [history]


def test_the_contents_and_the_updated_date_lead_to_the_history(client):
    doc = page(client, SLUG)
    assert doc.xpath("//nav[@class='toc']//a[@href='#article-history']/text()") == ["Article history"]
    (updated,) = doc.xpath("//dt[.='Updated']/following-sibling::dd/a[@href='#article-history']/time")
    assert updated.get("datetime") == "2026-12-02"


def test_json_ld_dates_come_from_the_history_and_the_byline(client):
    doc = page(client, SLUG)
    newest = doc.xpath("string(//*[@id='article-history']//li[1]/time/@datetime)")
    assert json_ld(doc, "Article")["dateModified"] == newest
    reviewed = doc.xpath("string(//dt[.='Last reviewed']/following-sibling::dd//time/@datetime)")
    assert json_ld(doc, "MedicalWebPage")["lastReviewed"] == reviewed


def test_a_never_updated_article_has_no_history_and_says_so_nowhere(client):
    doc = page(client, FRESH)
    assert doc.xpath("//*[@id='article-history']") == []
    assert doc.xpath("//a[@href='#article-history']") == []
    article = json_ld(doc, "Article")
    assert article["dateModified"] == article["datePublished"]

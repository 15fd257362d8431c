"""Long lists come a page at a time: the pure splitter and the home and topic pages."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from webapp import create_app
from webapp.reader.pagination import paginate

ROOT = Path(__file__).resolve().parents[2]


def test_paginate_splits_and_refuses_pages_that_do_not_exist():
    items = list(range(50))
    first, last = paginate(items, 1, 24), paginate(items, 3, 24)
    assert first.items == items[:24] and (first.previous, first.next, first.count) == (None, 2, 3)
    assert last.items == items[48:] and (last.previous, last.next) == (2, None)
    assert paginate(items, 4, 24) is None and paginate(items, 0, 24) is None
    assert paginate([], 1, 24).items == []  # an empty first page still exists


@pytest.fixture(scope="module")
def big_client(tmp_path_factory):
    """A client for a library of 60 generated articles, 24 to a page."""
    folder = tmp_path_factory.mktemp("articles")
    subprocess.run(
        [sys.executable, "scripts/generate_articles.py", "60", str(folder)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    app = create_app(
        {
            "SECRET_KEY": "test-secret-key-of-32-bytes-or-more",
            "CONTENT_DIR": str(folder),
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("inst")),
        }
    )
    return app.test_client()


def cards(html: str) -> list[str]:
    """The article links of a page's card grid, in order."""
    grid = html.split('class="card-grid"')[1].split("</ul>")[0]
    return re.findall(r'<a href="(/articles/[^"]+)"', grid)


def test_home_pages_through_every_article_once(big_client):
    pages = [big_client.get(path) for path in ("/", "/page/2", "/page/3")]
    assert [p.status_code for p in pages] == [200, 200, 200]
    links = [cards(p.get_data(as_text=True)) for p in pages]
    assert [len(x) for x in links] == [24, 24, 12]
    assert len(set(sum(links, []))) == 60
    first, middle, last = (p.get_data(as_text=True) for p in pages)
    assert 'rel="next"' in first and 'rel="prev"' not in first and "Page 1 of 3" in first
    assert '<a href="/" rel="prev">' in middle and '<a href="/page/3" rel="next">' in middle
    assert 'rel="next"' not in last and "(page 3)" in last.split("</title>")[0]


def test_pages_past_the_end_are_404_and_page_one_has_one_address(big_client):
    assert big_client.get("/page/4").status_code == 404
    assert big_client.get("/page/0").status_code == 404
    moved = big_client.get("/page/1")
    assert moved.status_code == 308 and moved.headers["Location"] == "/"


def test_topic_pages_paginate_too(big_client):
    html = big_client.get("/").get_data(as_text=True)
    tag = re.search(
        r'href="/tags/([a-z0-9-]+)"', big_client.get(cards(html)[0]).get_data(as_text=True)
    ).group(1)
    first = big_client.get(f"/tags/{tag}").get_data(as_text=True)
    assert 1 <= len(cards(first)) <= 24
    moved = big_client.get(f"/tags/{tag}/page/1")
    assert moved.status_code == 308 and moved.headers["Location"] == f"/tags/{tag}"
    assert big_client.get(f"/tags/{tag}/page/999").status_code == 404


def test_small_library_shows_no_pager(client):
    assert 'class="pager"' not in client.get("/").get_data(as_text=True)

"""Issue 20's promise: the insights script adds at most 600 B (brotli, as browsers get it) to an
article's first load, counting its <script> tag and the signup form's hidden field."""

import re

import brotli
import pytest

from webapp import create_app

LIMIT = 600
SCRIPT_TAG = re.compile(r'<script src="(/static/js/insights\.[0-9a-f]{12}\.js)"[^>]*></script>')
HIDDEN_FIELD = '<input type="hidden" name="faq_opened">'


@pytest.fixture(scope="module")
def site(tmp_path_factory, static_build_dir):
    """The app with the shipped content."""
    instance = str(tmp_path_factory.mktemp("instance"))
    return create_app({"TESTING": True, "INSTANCE_PATH": instance, "STATIC_BUILD_DIR": str(static_build_dir)})


def test_the_insights_script_adds_at_most_600_bytes_to_an_article_first_load(site):
    client = site.test_client()
    for article in site.extensions["library"].articles:
        html = client.get(f"/articles/{article.slug}", headers={"Accept-Encoding": "identity"}).get_data(
            as_text=True
        )
        tag = SCRIPT_TAG.search(html)
        assert tag and html.count(HIDDEN_FIELD) == 1, article.slug
        script = client.get(tag.group(1), headers={"Accept-Encoding": "br"})
        assert script.headers["Content-Encoding"] == "br"
        without = html.replace(tag.group(0), "").replace(HIDDEN_FIELD, "")

        def served(text: str) -> int:
            return len(brotli.compress(text.encode(), quality=9, mode=brotli.MODE_TEXT))  # as page_cache does

        added = len(script.data) + served(html) - served(without)
        assert added <= LIMIT, f"{article.slug}: the insights script adds {added} B > {LIMIT} B"


def test_the_script_loads_deferred_and_sets_nothing_on_the_page_itself(site):
    client = site.test_client()
    slug = site.extensions["library"].articles[0].slug
    response = client.get(f"/articles/{slug}")
    tag = SCRIPT_TAG.search(response.get_data(as_text=True)).group(0)
    assert " defer" in tag and "async" not in tag
    assert "Set-Cookie" not in response.headers

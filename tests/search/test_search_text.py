"""The plain reading of a body agrees with the page's rendering: same parts, headings and anchors."""

import dataclasses
import random
import re

from generated import generate_articles
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.articles.loader import load_articles
from webapp.search import text

ROOT = generate_articles.ROOT
WORD = re.compile(r"[^\W_]+")


def agree(article) -> bool:
    """True when the plain reading (if it applies) finds the parts the rendering finds."""
    plain = text.plain_parts(article.body)
    if plain is None:
        return True
    rendered = text.rendered_parts(article)
    same_places = [(p.anchor, p.heading) for p in plain] == [(p.anchor, p.heading) for p in rendered]
    same_words = [WORD.findall(p.text)[:6] for p in plain] == [WORD.findall(p.text)[:6] for p in rendered]
    return same_places and len(plain) == len(rendered) and same_words


def test_shipped_and_generated_articles_agree(tmp_path):
    generate_articles.generate(40, tmp_path, ROOT / "static")
    for folder in (ROOT / "content", tmp_path):
        articles, problems = load_articles(folder, ROOT / "static")
        assert articles and not problems
        for article in articles:
            assert text.plain_parts(article.body) is not None, article.slug  # the fast way applies
            assert agree(article), article.slug


HEADING_TEXT = st.text(alphabet=st.sampled_from("abc AB1-_.*`'\"?!()[]<>&#\\:,é–"), min_size=1, max_size=20)


@settings(max_examples=200, deadline=None)
@given(
    headings=st.lists(st.tuples(st.sampled_from(["##", "###", "# ", "  ##", "- ##", "> ##"]), HEADING_TEXT))
)
def test_any_headings_either_agree_or_fall_back_to_rendering(headings):
    articles, _ = load_articles(ROOT / "content", ROOT / "static")
    article = random.Random(len(headings)).choice(articles)
    body = "Intro words.\n\n" + "\n\n".join(f"{mark} {words}\n\nSome text." for mark, words in headings)
    changed = dataclasses.replace(article, body=body)
    assert agree(changed)

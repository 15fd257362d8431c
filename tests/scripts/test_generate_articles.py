"""The synthetic library generator: valid articles, realistic tags, reproducible output."""

from collections import Counter
from pathlib import Path

import pytest
from generated import generate_articles

from webapp import create_app
from webapp.articles.loader import load_articles

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """300 generated articles and what the real loader makes of them."""
    folder = tmp_path_factory.mktemp("articles")
    generate_articles.generate(300, folder, ROOT / "static", seed=7)
    articles, problems = load_articles(folder, ROOT / "static")
    return folder, articles, problems


def test_every_generated_article_passes_the_loader(library):
    folder, articles, problems = library
    assert problems == []
    assert len(articles) == 300 == len(list(folder.glob("*.md")))


def test_generated_articles_pass_flask_content_check(tmp_path):
    folder = tmp_path / "articles"
    generate_articles.generate(20, folder, ROOT / "static", seed=11)  # the reading grade is slow to score
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-of-32-bytes-or-more",
            "INSTANCE_PATH": str(tmp_path),
            "CONTENT_DIR": str(folder),
        }
    )
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "20 articles checked, 0 problems." in result.output
    assert "FAQ question" not in result.output  # no question asked in two articles


def test_generated_articles_log_their_updates_and_word_their_own_headings(library):
    _, articles, _ = library
    assert all(a.changes[0].date == a.updated for a in articles if a.updated != a.published)
    assert any(len(a.changes) == 2 for a in articles)
    first_headings = {a.body.split("\n## ", 2)[1].split("\n", 1)[0] for a in articles}
    assert len(first_headings) > 20  # the editor's words, not one fixed title


def test_tags_follow_a_long_tailed_distribution(library):
    _, articles, _ = library
    counts = sorted(Counter(tag for a in articles for tag in a.tags).values(), reverse=True)
    assert all(2 <= len(a.tags) <= 5 for a in articles)
    assert len(counts) > 60  # a long tail of rarer tags...
    assert counts[0] >= 8 * counts[len(counts) // 2]  # ...under a few very common ones


def test_same_count_and_seed_write_the_same_files(tmp_path):
    first = generate_articles.generate(5, tmp_path / "a", ROOT / "static", seed=3)
    second = generate_articles.generate(5, tmp_path / "b", ROOT / "static", seed=3)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_regenerating_fewer_removes_the_extra_synthetic_files(tmp_path):
    generate_articles.generate(6, tmp_path, ROOT / "static")
    generate_articles.generate(4, tmp_path, ROOT / "static")
    assert sorted(p.name for p in tmp_path.glob("*.md")) == [f"synthetic-0000{i}.md" for i in range(4)]

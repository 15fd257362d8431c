"""Loading and validating content files: every kind of bad file is named with its field."""

from pathlib import Path

import pytest
import yaml
from article_variants import (
    GOOD,
    STATIC,
    good_headings,
    problems_for,
    write_fields,
    write_variant,
)

from webapp import create_app
from webapp.articles.loader import load_articles, split_front_matter
from webapp.articles.model import ContentError


@pytest.fixture
def folder(content_copy) -> Path:
    """A content folder holding the shipped, known-good articles."""
    return content_copy


def test_good_article_loads_with_every_part(folder):
    articles, problems = load_articles(folder, STATIC)
    assert problems == []
    (article,) = [a for a in articles if a.slug == "gut-melatonin-sleep"]
    assert article.slug == "gut-melatonin-sleep"
    assert article.title and article.faq and article.gallery and article.references
    assert article.reading_minutes >= 3
    assert article.published <= article.updated


def test_invalid_yaml_names_file_and_line(folder):
    write_variant(folder, "broken.md", "title:", "title: [unclosed\nx:")
    (problem,) = [p for p in problems_for(folder) if p.startswith("broken.md")]
    assert "front matter: invalid YAML at line" in problem


def test_missing_front_matter(folder):
    (folder / "bare.md").write_text("Just some text\n", encoding="utf-8")
    assert problems_for(folder) == [
        "bare.md: front matter: must start with a '---' line and end with another"
    ]


def test_missing_required_field(folder):
    write_fields(folder, "no-description.md", description=None, unused_description="x")
    found = problems_for(folder)
    assert "no-description.md: description: is required but missing" in found
    assert any("unused_description: is not a known field" in p for p in found)


def test_wrong_type(folder):
    write_fields(folder, "bad-date.md", published="last tuesday")
    assert any(
        p.startswith("bad-date.md: published: must be a date (YYYY-MM-DD)") for p in problems_for(folder)
    )


def test_unknown_related_slug(folder):
    write_fields(folder, "lonely.md", related=["no-such-article"])
    found = problems_for(folder)
    assert any(
        p.startswith("lonely.md: related[0]: no article has the slug 'no-such-article'") for p in found
    )


def test_image_without_alt_text(folder):
    hero = yaml.safe_load(split_front_matter(GOOD.read_text(encoding="utf-8"))[0])["hero"]
    write_fields(folder, "no-alt.md", hero={**hero, "alt": ""})
    assert any(p.startswith("no-alt.md: hero.alt: is required but missing") for p in problems_for(folder))


def test_missing_image_file(folder):
    write_variant(folder, "no-image.md", "hero.svg", "missing.svg")
    assert any("hero.src: no file static/" in p and p.startswith("no-image.md") for p in problems_for(folder))


def test_duplicate_slug(folder):
    write_fields(folder, "copy.md", slug="gut-melatonin-sleep")
    found = problems_for(folder)
    assert "gut-melatonin-sleep.md: slug: 'gut-melatonin-sleep' is already used by copy.md" in found


def test_citation_of_unknown_reference(folder):
    heading = good_headings()[2]
    write_variant(folder, "bad-cite.md", f"\n{heading}\n", f"\n{heading}\n\nA claim[^made-up].\n")
    assert any("bad-cite.md: body: cites [^made-up]" in p for p in problems_for(folder))


@pytest.mark.parametrize("day", ["2026-02-30", "2026-13-01"])
def test_a_date_that_is_not_a_day_is_named_not_a_crash(folder, day):
    write_variant(folder, "no-such-day.md", "next_review: 2027", f"next_review: {day}\nx: 2027")
    (problem,) = problems_for(folder, "no-such-day.md")
    assert problem.startswith(f"no-such-day.md: front matter: line 7: next_review: {day} is not a real date")


def test_not_utf8(folder):
    (folder / "latin1.md").write_bytes("---\ntitle: caf\xe9\n---\n".encode("latin-1"))
    assert any(p.startswith("latin1.md: file: cannot be read as UTF-8") for p in problems_for(folder))


def test_bad_file_stops_start_up_naming_it(folder, tmp_path_factory):
    write_variant(folder, "broken.md", "title:", "title: [unclosed\nx:")
    instance = tmp_path_factory.mktemp("instance")
    with pytest.raises(ContentError, match=r"broken\.md: front matter: invalid YAML"):
        create_app(
            {
                "SECRET_KEY": "test-secret-key-of-32-bytes-or-more",
                "CONTENT_DIR": str(folder),
                "INSTANCE_PATH": str(instance),
            }
        )

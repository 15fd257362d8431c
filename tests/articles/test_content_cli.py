"""`flask content check` and `flask content new`."""

import datetime as dt
import re
from pathlib import Path

import pytest

from webapp import create_app
from webapp.articles.cli import policy_problems, slugify
from webapp.articles.model import Article, Change, FaqItem, Image, Person, Reference

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def folder_runner(tmp_path, content_copy, static_build_dir):
    """A CLI runner for an app whose content folder is a copy of the shipped articles."""
    folder = content_copy
    app = create_app(
        {
            "SECRET_KEY": "test-secret-key-of-32-bytes-or-more",
            "CONTENT_DIR": str(folder),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "STATIC_BUILD_DIR": str(static_build_dir),
        }
    )
    return folder, app.test_cli_runner()


def test_check_passes_on_the_shipped_content(runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "0 problems" in result.output
    for path in (ROOT / "content").glob("*.md"):
        if path.name != "README.md":
            assert f"ok    {path.name}: grade" in result.output


def test_check_reports_every_problem_and_fails(folder_runner):
    folder, runner = folder_runner
    (folder / "one.md").write_text("no front matter\n")
    (folder / "two.md").write_text("---\ntitle: [broken\n---\n")
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "one.md: front matter: must start with a '---' line" in result.output
    assert "two.md: front matter: invalid YAML" in result.output
    assert "ok    gut-melatonin-sleep.md" in result.output


def _article(**changes) -> Article:
    """A minimal valid Article value for policy checks."""
    day = dt.date(2026, 1, 1)
    image = Image("x.svg", "alt", 1, 1, "cap")
    values = dict(
        slug="a", path="a.md", title="T", description="D", published=day, updated=day, reviewed=day,
        next_review=dt.date(2027, 1, 1), author=Person("A"), reviewer=Person("R"), tags=("sleep",),
        hero=image, gallery=(image,), key_insights=("k",), faq=(FaqItem("q", "a"),), misconceptions=(),
        applies_to="x", final_thoughts="x", cta="x", body="x",
        references=tuple(Reference(f"r{i}", "t", url="https://x") for i in range(4)),
    )  # fmt: skip
    values.update(changes)
    return Article(**values)


def test_policy_fails_hard_reading_and_few_sources_and_warns_on_overdue_review():
    today = dt.date(2027, 6, 1)
    assert policy_problems(_article(), 7.5, dt.date(2026, 6, 1)) == ([], [])
    failures, warnings = policy_problems(_article(references=()), 9.4, today)
    assert "has 0 references; at least 4 are required" in failures
    assert any("reads at grade 9.4" in f for f in failures)
    assert warnings == ["next review was due on 2027-01-01"]


def test_policy_warns_on_a_change_made_after_the_last_review():
    day, later = dt.date(2026, 1, 1), dt.date(2026, 3, 1)
    changed = _article(updated=later, changes=(Change(later, "Corrected a dose."),))
    assert policy_problems(changed, 7.5, day) == (
        [],
        ["changed on 2026-03-01, after its last review on 2026-01-01: check the change against its sources, "
         "then set reviewed"],
    )  # fmt: skip
    reviewed = _article(updated=later, changes=(Change(later, "x"),), reviewed=later)
    assert policy_problems(reviewed, 7.5, day) == ([], [])


def test_new_writes_a_complete_skeleton(folder_runner):
    folder, runner = folder_runner
    result = runner.invoke(args=["content", "new", "Sleep & Shift Work: A Guide"])
    assert result.exit_code == 0, result.output
    path = folder / "sleep-shift-work-a-guide.md"
    text = path.read_text()
    for field in ["title:", "description:", "published:", "updated:", "reviewed:", "next_review:",
                  "author:", "reviewer:", "tags:", "hero:", "gallery:", "key_insights:", "faq:",
                  "misconceptions:", "applies_to:", "see_a_doctor:", "emergency:", "final_thoughts:",
                  "cta:", "related:", "references:", "changes:"]:  # fmt: skip
        assert field in text, field
    assert len(re.findall(r"^## ", text, re.MULTILINE)) == 4
    assert 'title: "Sleep & Shift Work: A Guide"' in text
    again = runner.invoke(args=["content", "new", "Sleep & Shift Work: A Guide"])
    assert again.exit_code != 0 and "already exists" in again.output


def test_new_skeleton_is_reported_as_unfinished_not_crashing(folder_runner):
    folder, runner = folder_runner
    runner.invoke(args=["content", "new", "Draft"])
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "draft.md: description: is required but missing" in result.output


def test_slugify():
    assert slugify("Why the Gut Makes Melatonin?") == "why-the-gut-makes-melatonin"
    assert slugify("!!!") == ""


def test_check_reuses_grades_of_unchanged_articles(folder_runner, monkeypatch):
    folder, runner = folder_runner
    from webapp.articles import cli as content_cli

    calls = []
    real = content_cli.article_grade
    monkeypatch.setattr(content_cli, "article_grade", lambda a: calls.append(a.slug) or real(a))
    first = runner.invoke(args=["content", "check"])
    assert first.exit_code == 0 and len(calls) == len(list(folder.glob("*.md")))
    calls.clear()
    again = runner.invoke(args=["content", "check"])
    assert again.exit_code == 0 and calls == []
    assert again.output.split("Checking")[0] == first.output.split("Checking")[0]  # same report
    path = folder / "gut-melatonin-sleep.md"
    text = path.read_text()
    heading = next(line for line in text.splitlines() if line.startswith("## "))
    path.write_text(text.replace(heading + "\n", heading + "\n\nOne more line.\n", 1))
    runner.invoke(args=["content", "check"])
    assert calls == ["gut-melatonin-sleep"]


def test_check_survives_a_damaged_grade_file(folder_runner):
    folder, runner = folder_runner
    runner.invoke(args=["content", "check"])
    grades = next(Path(runner.app.instance_path).glob("reading-grades.json"))
    grades.write_text("{not json")
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0 and "0 problems" in result.output

"""Editors' commands: `flask content check`, `flask content new "Title"`, `flask content citations`, and
`flask content build-cache` for deploys."""

import datetime as dt
import json
import re
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from webapp.articles.library import CACHE_NAME, library_of, load_failed
from webapp.articles.loader import load_articles
from webapp.articles.model import Article
from webapp.files import digest, write_atomic

MIN_REFERENCES = 4
MAX_GRADE = 9.0

content = AppGroup("content", help="Check and create articles in the content folder.")


def policy_problems(article: Article, grade: float, today: dt.date) -> tuple[list[str], list[str]]:
    """Editorial rules beyond the schema: (failures, warnings) for one article."""
    failures, warnings = [], []
    if len(article.references) < MIN_REFERENCES:
        failures.append(f"has {len(article.references)} references; at least {MIN_REFERENCES} are required")
    if grade > MAX_GRADE:
        failures.append(f"reads at grade {grade:.1f}; aim for 8, fail above {MAX_GRADE:.0f}")
    if article.next_review < today:
        warnings.append(f"next review was due on {article.next_review.isoformat()}")
    if article.last_changed > article.reviewed:
        warnings.append(
            f"changed on {article.last_changed.isoformat()}, after its last review on "
            f"{article.reviewed.isoformat()}: check the change against its sources, then set reviewed"
        )
    return failures, warnings


def question_key(question: str) -> str:
    """A question as compared across articles: case, spacing and punctuation aside."""
    return " ".join(re.findall(r"[a-z0-9]+", question.casefold()))


def repeated_questions(articles: list[Article]) -> list[tuple[Article, str, Article]]:
    """Each FAQ question also asked by an earlier article: (article, question, the earlier one)."""
    first: dict[str, Article] = {}
    repeats = []
    for article in sorted(articles, key=lambda a: a.path):
        for item in article.faq:
            earlier = first.setdefault(question_key(item.question), article)
            if earlier is not article:
                repeats.append((article, item.question, earlier))
    return repeats


def article_grade(article: Article) -> float:
    """The Flesch-Kincaid grade of all of an article's prose."""
    from webapp.articles.readability import plain_text, reading_grade

    return reading_grade("\n\n".join(plain_text(text) for text in article.prose()))


def _grades_version() -> str:
    """A digest of the code that computes grades: change it and every grade is computed again."""
    import textstat

    from webapp.articles import readability

    return digest(Path(readability.__file__).read_bytes(), str(getattr(textstat, "__version__", "")))


def graded(articles: list[Article], path: Path) -> list[tuple[Article, float]]:
    """Each article with its reading grade; grades of unchanged prose are reused from `path`."""
    version = _grades_version()
    try:
        saved = json.loads(path.read_text())
        known = saved["grades"] if saved["version"] == version else {}
    except (OSError, ValueError, KeyError, TypeError):
        known = {}
    rows, grades = [], {}
    with click.progressbar(articles, label="Checking articles", file=sys.stderr) as bar:
        for article in bar:
            key = digest("\0".join(article.prose()))
            grade = known.get(key)
            grades[key] = grade if isinstance(grade, float) else article_grade(article)
            rows.append((article, grades[key]))
    write_atomic(path, json.dumps({"version": version, "grades": grades}).encode())
    return rows


@content.command("check")
def check() -> None:
    """Validate every article and report reading grade and reference count."""
    folder = Path(current_app.config["CONTENT_DIR"])
    articles, problems = load_articles(folder, Path(current_app.config["STATIC_DIR"]))
    for problem in problems:
        click.secho(f"error   {problem}", fg="red", err=True)
    failed = len(problems)
    today = dt.date.today()
    rows = graded(articles, Path(current_app.instance_path) / "reading-grades.json")
    for article, grade in rows:
        failures, warnings = policy_problems(article, grade, today)
        status = "FAIL" if failures else "ok"
        click.echo(f"{status:<5} {article.path}: grade {grade:.1f}, {len(article.references)} references")
        for message in failures:
            click.secho(f"error   {article.path}: {message}", fg="red", err=True)
        for message in warnings:
            click.secho(f"warning {article.path}: {message}", fg="yellow", err=True)
        failed += len(failures)
    for article, question, earlier in repeated_questions(articles):
        message = f"FAQ question {question!r} is also asked in {earlier.path}"
        click.secho(f"warning {article.path}: {message}", fg="yellow", err=True)
    click.echo(f"{len(rows)} articles checked, {failed} problems.")
    if failed:
        raise SystemExit(1)


@content.command("build-cache")
def build_cache() -> None:
    """Parse every article into the instance folder's parse cache (a deploy step: servers start warm).

    The app parses the content as it loads, before this runs; the command checks that it all parsed
    and says where the cache is. Run it where the release is built, with the servers'
    FLASK_INSTANCE_PATH (in a container image, at build time), and their first start parses nothing.
    """
    app = current_app._get_current_object()
    if load_failed(app):
        problems = app.extensions["content_error"]
        raise click.ClickException(f"the content has problems; fix them first:\n{problems}")
    path = Path(app.instance_path) / CACHE_NAME
    size = path.stat().st_size if path.exists() else 0
    click.echo(f"Parse cache: {len(library_of(app).articles)} articles in {path} ({size / 1e6:.1f} MB).")


@content.command("citations")
@click.argument("slug", required=False)
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def citations_report(slug: str | None, output: str) -> None:
    """For each source of each article (or of SLUG), every sentence citing it, and what to check again.

    Also lists sources cited only once, from the introduction; sentences stating a figure with no
    citation; and sentences sending a call-911 sign (from the emergency box, or always one) to urgent
    care, a same-day visit or the doctor.
    """
    from webapp.articles import citation_format, citations  # the sentence splitter, only when asked

    articles, problems = load_articles(
        Path(current_app.config["CONTENT_DIR"]), Path(current_app.config["STATIC_DIR"])
    )
    for problem in problems:
        click.secho(f"error   {problem}", fg="red", err=True)
    if slug is not None:
        articles = [a for a in articles if a.slug == slug]
        if not articles:
            broken = " (its file has problems: run `flask content check`)" if problems else ""
            raise click.BadParameter(f"no article has the slug {slug!r}{broken}", param_hint="SLUG")
    reports = [citations.report(a) for a in sorted(articles, key=lambda a: a.path)]
    if output == "json":
        data = [citation_format.as_data(r) for r in reports]
        click.echo(json.dumps({"articles": data, "problems": [str(p) for p in problems]}, indent=2))
    else:
        for report in reports:
            click.echo("\n".join(citation_format.as_lines(report)) + "\n")
        sources = sum(len(r.citations) for r in reports)
        found = sum(len(r.findings) for r in reports)
        click.echo(f"{len(reports)} articles, {sources} sources, {found} sentences to check again.")
    if problems:
        raise SystemExit(1)


def slugify(title: str) -> str:
    """A URL slug from a title: lowercase words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80].strip("-")


@content.command("new")
@click.argument("title")
def new(title: str) -> None:
    """Write content/<slug>.md with every field present and explained, ready to fill in."""
    slug = slugify(title)
    if not slug:
        raise click.UsageError("The title needs at least one letter or digit.")
    path = Path(current_app.config["CONTENT_DIR"]) / f"{slug}.md"
    if path.exists():
        raise click.ClickException(f"{path} already exists; choose another title.")
    template = Path(__file__).with_name("article_template.md").read_text(encoding="utf-8")
    today = dt.date.today()
    text = template.format(
        title=title.replace('"', "'"),
        slug=slug,
        today=today.isoformat(),
        next_review=(today + dt.timedelta(days=365)).isoformat(),
        today_year=today.year,
    )
    path.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {path}. Fill in every field, then run `flask content check`.")


def init_app(app: Flask) -> None:
    """Register the `flask content` commands."""
    app.cli.add_command(content)

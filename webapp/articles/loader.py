"""Read `content/*.md` into Article values, reporting every problem with file and field."""

import dataclasses
import datetime as dt
import re
from pathlib import Path

import yaml

from webapp.articles import fields as build
from webapp.articles.checks import OPTIONAL_TEXT, check_consistency
from webapp.articles.model import SLUG, Article, ContentError, Problem

try:  # The C loader is several times faster; 10,000 articles notice.
    from yaml import CSafeLoader as YamlLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as YamlLoader

KNOWN_FIELDS = {
    "slug", "title", "description", "published", "updated", "reviewed", "next_review", "changes",
    "author", "reviewer", "tags", "hero", "gallery", "key_insights", "faq", "misconceptions",
    "applies_to", "see_a_doctor", "emergency", "final_thoughts", "cta", "related", "references",
}  # fmt: skip
DATE_LIKE = re.compile(r"^[ \t-]*([\w.]+):[ \t]*(\d{4}-\d\d?-\d\d?)[ \t]*(?:#.*)?$", re.MULTILINE)


def split_front_matter(source: str) -> tuple[str, str] | None:
    """Split `---` YAML front matter from the Markdown body; None when there is none."""
    if not source.startswith("---"):
        return None
    parts = source.split("\n---", 1)
    if len(parts) != 2:
        return None
    front, body = parts
    return front[3:], body.partition("\n")[2]


def _not_a_date(front: str, error: ValueError) -> str:
    """Where a YAML date that is not a real day sits (the YAML parser raises without a line)."""
    for match in DATE_LIKE.finditer(front):
        try:
            dt.date.fromisoformat(match.group(2))
        except ValueError:
            line = front.count("\n", 0, match.start()) + 1  # `front` starts on the `---` line
            return f"line {line}: {match.group(1)}: {match.group(2)} is not a real date ({error})"
    return f"a date is not a real day ({error})"


def _front_matter(name: str, source: str, problems: list[Problem]) -> tuple[dict, str] | None:
    """A file's front matter as a mapping and its body, or None with the problem noted."""
    split = split_front_matter(source)
    if split is None:
        problems.append(Problem(name, "front matter", "must start with a '---' line and end with another"))
        return None
    try:
        data = yaml.load(split[0], Loader=YamlLoader)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" at line {where.line + 1}" if where else ""  # `front` starts on the `---` line
        problems.append(
            Problem(name, "front matter", f"invalid YAML{line}: {getattr(error, 'problem', error)}")
        )
        return None
    except ValueError as error:  # a well-formed date that is not a day, such as 2026-02-30
        problems.append(Problem(name, "front matter", _not_a_date(split[0], error)))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(name, "front matter", "must be a mapping of field: value"))
        return None
    return data, split[1]


def parse_article(path: Path, source: str, static_dir: Path, problems: list[Problem]) -> Article | None:
    """Build one Article from a file's text, appending every problem found to `problems`."""
    name = path.name
    before = len(problems)
    parsed = _front_matter(name, source, problems)
    if parsed is None:
        return None
    data, body = parsed
    f = build.Fields(name, data, problems)
    for unknown in sorted(set(data) - KNOWN_FIELDS, key=str):
        f.problem(unknown, "is not a known field (see content/README.md)")
    slug = f.get("slug", str, required=False) or path.stem
    if not SLUG.match(slug):
        f.problem("slug", f"{slug!r} must be lowercase letters, digits and hyphens")
    values = {
        "title": f.get("title", str),
        "description": f.get("description", str),
        **{key: f.get(key, dt.date) for key in ("published", "updated", "reviewed", "next_review")},
        "changes": f.items("changes", lambda k, v: build.change(f, k, v), minimum=0),
        "author": build.person(f, "author", data.get("author")),
        "reviewer": build.person(f, "reviewer", data.get("reviewer")),
        "tags": f.items("tags", f.text),
        "hero": build.image(f, "hero", data.get("hero"), static_dir, caption=False),
        "gallery": f.items("gallery", lambda k, v: build.image(f, k, v, static_dir, caption=True)),
        "key_insights": f.items("key_insights", f.text),
        "faq": f.items("faq", lambda k, v: build.faq(f, k, v)),
        "misconceptions": f.items("misconceptions", lambda k, v: build.misconception(f, k, v)),
        "applies_to": f.get("applies_to", str),
        "final_thoughts": f.get("final_thoughts", str),
        "cta": f.get("cta", str),
        "references": f.items("references", lambda k, v: build.reference(f, k, v)),
        "related": f.items("related", f.text, minimum=0),
        **{key: f.get(key, str, required=False) or "" for key in OPTIONAL_TEXT},
        "body": body.strip() or None,
    }
    if values["body"] is None:
        f.problem("body", "is empty: write the intro and sections below the front matter")
    check_consistency(f, values)
    if len(problems) > before:
        return None
    article = Article(slug=slug, path=name, **values)
    return dataclasses.replace(article, word_count=sum(len(t.split()) for t in article.prose()))


def _still_valid(article: Article, static_dir: Path, present: dict[str, bool]) -> bool:
    """True when every picture an earlier parse found is still there (one stat per distinct file)."""
    for image in (article.hero, *article.gallery):
        if image.src not in present:
            present[image.src] = (static_dir / image.src).is_file()
        if not present[image.src]:
            return False
    return True


def load_articles(
    content_dir: Path, static_dir: Path, known: dict[str, tuple[int, int, Article]] | None = None
) -> tuple[list[Article], list[Problem]]:
    """Load every article in a folder; return the good ones and every problem found.

    `known` maps file names to (size, mtime_ns, article) from an earlier load; an unchanged file is
    taken from it instead of being parsed again, and it is updated with every file parsed now.
    """
    problems: list[Problem] = []
    articles: dict[str, Article] = {}
    present: dict[str, bool] = {}
    for path in sorted(content_dir.glob("*.md"), key=lambda p: p.name):  # same order, 10x cheaper
        if path.name == "README.md":
            continue
        article = None
        if known is not None:
            try:
                stat = path.stat()
            except OSError:
                stat = None
            hit = known.pop(path.name, None)
            if stat and hit and hit[:2] == (stat.st_size, stat.st_mtime_ns):
                article = hit[2] if _still_valid(hit[2], static_dir, present) else None
        if article is None:
            try:
                source = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                problems.append(Problem(path.name, "file", f"cannot be read as UTF-8 text: {error}"))
                continue
            article = parse_article(path, source, static_dir, problems)
            if article is None:
                continue
        if known is not None and stat:
            known[path.name] = (stat.st_size, stat.st_mtime_ns, article)
        if article.slug in articles:
            other = articles[article.slug].path
            problems.append(Problem(path.name, "slug", f"{article.slug!r} is already used by {other}"))
            continue
        articles[article.slug] = article
    for article in articles.values():
        for i, slug in enumerate(article.related):
            if slug not in articles:
                problems.append(Problem(article.path, f"related[{i}]", f"no article has the slug {slug!r}"))
            elif slug == article.slug:
                problems.append(Problem(article.path, f"related[{i}]", "an article cannot relate to itself"))
    return list(articles.values()), problems


def load_or_fail(content_dir: Path, static_dir: Path) -> list[Article]:
    """Load every article, raising ContentError listing all problems if there is any."""
    articles, problems = load_articles(content_dir, static_dir)
    if problems:
        raise ContentError(problems)
    return articles

"""Read `content/*.md` into Article values, reporting every problem with file and field."""

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from webapp.articles.markdown import cited_ids, headings
from webapp.articles.model import (
    REQUIRED_SECTIONS,
    SLUG,
    Article,
    ContentError,
    FaqItem,
    Image,
    Misconception,
    Person,
    Problem,
    Reference,
)

try:  # The C loader is several times faster; 10,000 articles notice.
    from yaml import CSafeLoader as YamlLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as YamlLoader

OPTIONAL_TEXT = ("see_a_doctor", "emergency")
KNOWN_FIELDS = {
    "slug", "title", "description", "published", "updated", "reviewed", "next_review",
    "author", "reviewer", "tags", "hero", "gallery", "key_insights", "faq", "misconceptions",
    "applies_to", "see_a_doctor", "emergency", "final_thoughts", "cta", "related", "references",
}  # fmt: skip


class _Fields:
    """Typed access to one file's front matter that records problems instead of raising."""

    def __init__(self, path: str, data: dict, problems: list[Problem]):
        self.path, self.data, self.problems = path, data, problems

    def problem(self, field: str, message: str) -> None:
        """Record one problem with this file."""
        self.problems.append(Problem(self.path, field, message))

    def get(self, field: str, kind: type, value: Any = None, required: bool = True) -> Any:
        """The field's value when present and of the right type, else None (problem noted)."""
        if value is None:
            value = self.data.get(field)
        if value is None or value == "":
            if required:
                self.problem(field, "is required but missing")
            return None
        if kind is str and isinstance(value, str):
            return value.strip()
        if kind is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if kind is dt.date and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if kind in (list, dict) and isinstance(value, kind):
            return value
        names = {str: "text", int: "a whole number", dt.date: "a date (YYYY-MM-DD)",
                 list: "a list", dict: "a mapping"}  # fmt: skip
        self.problem(field, f"must be {names[kind]}, got {type(value).__name__} {value!r:.60}")
        return None

    def items(self, field: str, build: Callable[[str, Any], Any], minimum: int = 1) -> tuple:
        """A list field whose items are built one by one; bad items are dropped and noted."""
        raw = self.get(field, list, required=minimum > 0) or []
        if len(raw) < minimum and raw:
            self.problem(field, f"needs at least {minimum} items, has {len(raw)}")
        built = [build(f"{field}[{i}]", item) for i, item in enumerate(raw)]
        return tuple(item for item in built if item is not None)

    def mapping(self, field: str, item: Any) -> dict | None:
        """An item that must be a mapping."""
        return self.get(field, dict, value=item)

    def text(self, field: str, item: Any) -> str | None:
        """An item that must be non-empty text."""
        return self.get(field, str, value=item)


def _person(fields: _Fields, field: str, raw: Any) -> Person | None:
    data = fields.mapping(field, raw)
    if data is None:
        return None
    name = fields.get(f"{field}.name", str, data.get("name"))
    credentials = fields.get(f"{field}.credentials", str, data.get("credentials"), required=False)
    return Person(name, credentials or "") if name else None


def _image(fields: _Fields, field: str, raw: Any, static_dir: Path, caption: bool) -> Image | None:
    data = fields.mapping(field, raw)
    if data is None:
        return None
    src = fields.get(f"{field}.src", str, data.get("src"))
    alt = fields.get(f"{field}.alt", str, data.get("alt"))
    width = fields.get(f"{field}.width", int, data.get("width"))
    height = fields.get(f"{field}.height", int, data.get("height"))
    text = fields.get(f"{field}.caption", str, data.get("caption"), required=caption) or ""
    if src and not (static_dir / src).is_file():
        fields.problem(f"{field}.src", f"no file static/{src}")
    for name, value in (("width", width), ("height", height)):
        if value is not None and value <= 0:
            fields.problem(f"{field}.{name}", "must be a positive number of pixels")
    if None in (src, alt, width, height):
        return None
    return Image(src, alt, width, height, text)


def _reference(fields: _Fields, field: str, raw: Any) -> Reference | None:
    data = fields.mapping(field, raw)
    if data is None:
        return None
    ref_id = fields.get(f"{field}.id", str, data.get("id"))
    title = fields.get(f"{field}.title", str, data.get("title"))
    publisher = fields.get(f"{field}.publisher", str, data.get("publisher"), required=False)
    year = fields.get(f"{field}.year", int, data.get("year"), required=False)
    url = fields.get(f"{field}.url", str, data.get("url"), required=False) or ""
    doi = fields.get(f"{field}.doi", str, data.get("doi"), required=False) or ""
    if ref_id and not SLUG.match(ref_id):
        fields.problem(f"{field}.id", f"{ref_id!r} must be lowercase letters, digits and hyphens")
    if not url and not doi:
        fields.problem(field, "needs a url or a doi")
    if url and not url.startswith(("https://", "http://")):
        fields.problem(f"{field}.url", f"{url!r} is not an http(s) address")
    if not (ref_id and title):
        return None
    return Reference(ref_id, title, publisher or "", year, url, doi)


def _faq(fields: _Fields, field: str, raw: Any) -> FaqItem | None:
    data = fields.mapping(field, raw)
    if data is None:
        return None
    question = fields.get(f"{field}.question", str, data.get("question"))
    answer = fields.get(f"{field}.answer", str, data.get("answer"))
    return FaqItem(question, answer) if question and answer else None


def _misconception(fields: _Fields, field: str, raw: Any) -> Misconception | None:
    data = fields.mapping(field, raw)
    if data is None:
        return None
    myth = fields.get(f"{field}.myth", str, data.get("myth"))
    fact = fields.get(f"{field}.fact", str, data.get("fact"))
    return Misconception(myth, fact) if myth and fact else None


def split_front_matter(source: str) -> tuple[str, str] | None:
    """Split `---` YAML front matter from the Markdown body; None when there is none."""
    if not source.startswith("---"):
        return None
    parts = source.split("\n---", 1)
    if len(parts) != 2:
        return None
    front, body = parts
    return front[3:], body.partition("\n")[2]


def parse_article(path: Path, source: str, static_dir: Path, problems: list[Problem]) -> Article | None:
    """Build one Article from a file's text, appending every problem found to `problems`."""
    name = path.name
    before = len(problems)
    split = split_front_matter(source)
    if split is None:
        problems.append(Problem(name, "front matter", "must start with a '---' line and end with another"))
        return None
    try:
        data = yaml.load(split[0], Loader=YamlLoader)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" at line {where.line + 2}" if where else ""
        problems.append(
            Problem(name, "front matter", f"invalid YAML{line}: {getattr(error, 'problem', error)}")
        )
        return None
    if not isinstance(data, dict):
        problems.append(Problem(name, "front matter", "must be a mapping of field: value"))
        return None
    f = _Fields(name, data, problems)
    for unknown in sorted(set(data) - KNOWN_FIELDS):
        f.problem(unknown, "is not a known field (see content/README.md)")
    slug = f.get("slug", str, required=False) or path.stem
    if not SLUG.match(slug):
        f.problem("slug", f"{slug!r} must be lowercase letters, digits and hyphens")
    values = {
        "title": f.get("title", str),
        "description": f.get("description", str),
        **{key: f.get(key, dt.date) for key in ("published", "updated", "reviewed", "next_review")},
        "author": _person(f, "author", data.get("author")),
        "reviewer": _person(f, "reviewer", data.get("reviewer")),
        "tags": f.items("tags", f.text),
        "hero": _image(f, "hero", data.get("hero"), static_dir, caption=False),
        "gallery": f.items("gallery", lambda k, v: _image(f, k, v, static_dir, caption=True)),
        "key_insights": f.items("key_insights", f.text),
        "faq": f.items("faq", lambda k, v: _faq(f, k, v)),
        "misconceptions": f.items("misconceptions", lambda k, v: _misconception(f, k, v)),
        "applies_to": f.get("applies_to", str),
        "final_thoughts": f.get("final_thoughts", str),
        "cta": f.get("cta", str),
        "references": f.items("references", lambda k, v: _reference(f, k, v)),
        "related": f.items("related", f.text, minimum=0),
        **{key: f.get(key, str, required=False) or "" for key in OPTIONAL_TEXT},
        "body": body if (body := split[1].strip()) else None,
    }
    if values["body"] is None:
        f.problem("body", "is empty: write the intro and sections below the front matter")
    _check_consistency(f, values)
    if len(problems) > before:
        return None
    article = Article(slug=slug, path=name, **values)
    return dataclasses.replace(article, word_count=sum(len(t.split()) for t in article.prose()))


ATX_H2 = re.compile(r"^ {0,3}##[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
NOT_PLAIN = re.compile(r"^ {0,3}(?:```|~~~|<)", re.MULTILINE)


def _h2_titles(body: str) -> list[str]:
    """The h2 titles of a body; a line scan when it certainly agrees with the Markdown parser."""
    # Parsing all of a body costs milliseconds, and 10,000 articles notice. A `## Title` line at the
    # start of a line is an h2 unless it sits in a fenced code or an HTML block, so when every required
    # section is found that way outside those, the full parse would find them too.
    if not NOT_PLAIN.search(body):
        found = ATX_H2.findall(body)
        if all(section in found for section in REQUIRED_SECTIONS):
            return found
    return [h.text for h in headings(body)]


def _check_consistency(f: _Fields, v: dict) -> None:
    """Cross-field rules: dates in order, tags and ids well formed, citations resolvable."""
    if v["published"] and v["updated"] and v["updated"] < v["published"]:
        f.problem("updated", "is before published")
    if v["reviewed"] and v["next_review"] and v["next_review"] <= v["reviewed"]:
        f.problem("next_review", "must be after reviewed")
    for i, tag in enumerate(v["tags"]):
        if not SLUG.match(tag):
            f.problem(f"tags[{i}]", f"{tag!r} must be lowercase letters, digits and hyphens")
    ids = [ref.id for ref in v["references"]]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        f.problem("references", f"id {dup!r} is used twice")
    texts = {"body": v["body"], "applies_to": v["applies_to"], "final_thoughts": v["final_thoughts"]}
    texts |= {key: v[key] for key in OPTIONAL_TEXT}
    texts |= {f"key_insights[{i}]": t for i, t in enumerate(v["key_insights"])}
    texts |= {f"faq[{i}].answer": item.answer for i, item in enumerate(v["faq"])}
    texts |= {f"misconceptions[{i}].fact": m.fact for i, m in enumerate(v["misconceptions"])}
    cited = set()
    for field, text in texts.items():
        for ref_id in cited_ids(text or ""):
            cited.add(ref_id)
            if ref_id not in ids:
                f.problem(field, f"cites [^{ref_id}] but references has no id {ref_id!r}")
    for ref_id in ids:
        if ref_id not in cited:
            f.problem("references", f"{ref_id!r} is never cited")
    if v["body"]:
        found = _h2_titles(v["body"])
        missing = [s for s in REQUIRED_SECTIONS if s not in found]
        if missing:
            f.problem("body", f"is missing the sections {', '.join(missing)} (as '## ' headings)")


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

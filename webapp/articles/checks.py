"""Rules across an article's fields: dates in order, citations resolvable, body shape, history logged."""

import datetime as dt
import re

from webapp.articles.fields import Fields
from webapp.articles.markdown import cited_ids, h2_lines
from webapp.articles.model import SECTION_ROLES, SLUG, Change

OPTIONAL_TEXT = ("see_a_doctor", "emergency")
ATX_H2 = re.compile(r"^ {0,3}##[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
# Anything the line scan could miss or misread: fenced code, HTML, a line of only - or = (a setext
# underline or a rule), or `##` after a quote or list marker, or with no text after it.
NOT_PLAIN = re.compile(r"^ {0,3}(?:```|~~~|<)|^ {0,3}(?:-+|=+)[ \t]*$", re.MULTILINE)
MAYBE_H2 = re.compile(r"^[ \t]*(?:(?:[>*+-]|\d{1,9}[.)])[ \t]*)*##(?:[ \t]|$)", re.MULTILINE)


def h2_spans(body: str) -> list[tuple[int, int, str]]:
    """Each h2 as (first line, line after it, title); a line scan when it certainly agrees with the parser."""
    # Parsing all of a body costs milliseconds, and 10,000 articles notice. A `## Title` line is an h2
    # unless it sits in a fenced code or HTML block; when the body has neither, nor any other line that
    # could be or hide an h2, the scan finds exactly what the parser finds.
    if not NOT_PLAIN.search(body):
        found = list(ATX_H2.finditer(body))
        if body.count("##") == len(found) or len(found) == len(MAYBE_H2.findall(body)):
            lines = [body.count("\n", 0, match.start()) for match in found]
            return [(line, line + 1, match.group(1)) for line, match in zip(lines, found, strict=True)]
    return h2_lines(body)


def check_sections(f: Fields, body: str) -> None:
    """The body is intro paragraphs, then exactly four `##` sections, each with text under it."""
    spans = h2_spans(body)
    if len(spans) != len(SECTION_ROLES):
        f.problem(
            "body",
            f"has {len(spans)} '## ' sections; it needs exactly {len(SECTION_ROLES)}, in this order: "
            f"{', '.join(SECTION_ROLES)} (each heading's words are yours; see content/README.md)",
        )
        return
    lines = body.split("\n")
    if not "".join(lines[: spans[0][0]]).strip():
        f.problem("body", "needs intro paragraphs before the first '## ' heading")
    ends = [start for start, _, _ in spans[1:]] + [len(lines)]
    for n, ((_, after, title), end) in enumerate(zip(spans, ends, strict=True), start=1):
        if not "".join(lines[after:end]).strip():
            f.problem("body", f"section {n} ({title!r}) has no text under its heading")


def check_changes(
    f: Fields, changes: tuple[Change, ...], published: dt.date | None, updated: dt.date | None
) -> None:
    """The history is newest first, within published..updated, and logs the `updated` day."""
    for i in range(1, len(changes)):
        if changes[i].date > changes[i - 1].date:
            f.problem(
                f"changes[{i}]",
                f"{changes[i].date} comes after {changes[i - 1].date} above it: list entries newest first",
            )
    for i, entry in enumerate(changes):
        if updated and entry.date > updated:
            f.problem(f"changes[{i}].date", f"{entry.date} is after updated ({updated})")
        if published and entry.date < published:
            f.problem(f"changes[{i}].date", f"{entry.date} is before published ({published})")
    if published and updated and updated != published and updated not in {c.date for c in changes}:
        f.problem(
            "updated",
            f"{updated} has no entry in changes: log what changed that day and why "
            "(- date: YYYY-MM-DD, note: ...)",
        )


def check_consistency(f: Fields, v: dict) -> None:
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
    texts |= {f"gallery[{i}].caption": image.caption for i, image in enumerate(v["gallery"])}
    cited = set()
    for field, text in texts.items():
        for ref_id in cited_ids(text or ""):
            cited.add(ref_id)
            if ref_id not in ids:
                f.problem(field, f"cites [^{ref_id}] but references has no id {ref_id!r}")
    for ref_id in ids:
        if ref_id not in cited:
            f.problem("references", f"{ref_id!r} is never cited")
    check_changes(f, v["changes"], v["published"], v["updated"])
    if v["body"]:
        check_sections(f, v["body"])

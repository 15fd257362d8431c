"""A small library whose words we choose (valid article files), and apps serving it: for the search tests."""

import json
import random
import re
from pathlib import Path

from generated import generate_articles

from webapp import create_app

SECRET = "search-tests-secret-key-of-forty-characters"


def article_text(
    index: int, title: str, description: str = "", intro: str = "", sections=(), question: str = ""
) -> str:
    """A valid article file (the generator's) with our title, description, intro, section texts and
    first FAQ question.

    `sections` holds up to four (heading or None, text) pairs, one per `## ` section, in order.
    """
    rng = random.Random(index)
    tags = generate_articles.tag_vocabulary(rng)
    pictures = generate_articles.pictures(generate_articles.ROOT / "static")
    text = generate_articles.article(
        index, rng, tags, generate_articles.zipf_weights(len(tags)), pictures, []
    )
    text = re.sub(r"(?m)^title: .*$", lambda _: f"title: {json.dumps(title)}", text, count=1)
    if description:
        text = re.sub(
            r"(?m)^description: .*$", lambda _: f"description: {json.dumps(description)}", text, count=1
        )
    if question:
        line = f"  - question: {json.dumps(question)}"
        text = re.sub(r"(?m)^  - question: .*$", lambda _: line, text, count=1)
    text = re.sub(r"(?m)^tags: .*$", f"tags: [test-topic-{index % 3}, library]", text, count=1)
    head, _, body = text.partition("\n---\n")
    lines, seen, out = body.split("\n"), 0, []
    for line in lines:
        if line.startswith("## ") and seen < len(sections):
            heading, extra = sections[seen]
            seen += 1
            out += [f"## {heading}" if heading else line, "", extra, ""]
            continue
        out.append(line)
    body = "\n".join(out)
    if intro:
        body = f"{intro}\n\n{body}"
    return f"{head}\n---\n{body}"


ARTICLES = {
    # Ranking: "magnesium" once each, in the title, the description, a heading, the body.
    "magnesium-title": dict(title="Magnesium, plainly"),
    "magnesium-description": dict(title="Minerals you need", description="Why magnesium matters to muscles."),
    "magnesium-heading": dict(
        title="Cramps at night", sections=[(None, ""), ("When magnesium helps", "Ask first.")]
    ),
    "magnesium-body": dict(
        title="Tired legs", sections=[(None, ""), (None, ""), (None, "Some take magnesium.")]
    ),
    # Stemming, accents, prefixes, suggestions.
    "swimming": dict(title="Water exercise", intro="She swims twice a week; swimmers sleep well."),
    "cafe": dict(title="Coffee breaks", intro="A café au lait holds less caffeine than you think."),
    "melatonin": dict(
        title="Melatonin at night",
        intro="Melatonin is a hormone the brain makes in the dark.",
        question="Can jetlag be eased?",
    ),
    # Escaping: markup and ampersands in an article's own text.
    "escaping": dict(
        title="Zinc & <b>copper</b> in food",
        intro="Labels say <script>alert(1)</script> & zinc, a trace metal.",
        sections=[
            (None, ""),
            (None, ""),
            (None, ""),
            ("Zinc in the shop", "Zinc tablets are sold everywhere."),
        ],
    ),
}


def write_library(folder: Path, articles: dict = ARTICLES) -> Path:
    """Write the articles (slug: fields) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for index, (slug, fields) in enumerate(articles.items()):
        (folder / f"{slug}.md").write_text(article_text(index, **fields), encoding="utf-8")
    return folder


def make_app(instance: Path, content: Path, static_build: Path, **config):
    """An app serving `content`, with its own instance folder."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "INSTANCE_PATH": str(instance),
            "STATIC_BUILD_DIR": str(static_build),
            "CONTENT_DIR": str(content),
            **config,
        }
    )

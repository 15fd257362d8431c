"""Write N synthetic but valid articles, for measuring the site at scale.

    python scripts/generate_articles.py 10000 /tmp/articles-10k
    FLASK_CONTENT_DIR=/tmp/articles-10k make run

Every file passes `flask content check`: all required fields, four body sections under varied headings,
a change logged for `updated`, cited references, pictures that exist (the shipped SVGs, reused), plain
short sentences. Tags follow a Zipf law, as real tag use does: a few tags on many articles, a long tail
of rare ones. The same N and seed give the same files.
"""

import datetime as dt
import json
import random
import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "synthetic-"
TOPICS = (
    "sleep", "nutrition", "exercise", "heart-health", "gut-health", "hormones", "mental-health",
    "stress", "diabetes", "blood-pressure", "weight", "vitamins", "hydration", "skin", "eyes",
    "hearing", "teeth", "bones", "joints", "back-pain", "headache", "allergies", "asthma", "immunity",
    "vaccines", "infections", "cancer-screening", "kidneys", "liver", "lungs", "thyroid", "fertility",
    "pregnancy", "menopause", "ageing", "memory", "mood", "alcohol", "smoking", "caffeine", "fasting",
    "protein", "fibre", "sugar", "salt", "cholesterol", "walking", "strength", "stretching", "posture",
    "screen-time", "circadian-rhythm", "first-aid", "emergency-care", "medicines", "supplements",
    "microbiome", "inflammation", "pain", "recovery",
)  # fmt: skip
FACETS = ("", "children", "older-adults", "women", "men", "athletes", "research")
WORDS = (
    "your body", "the heart", "your gut", "the brain", "your muscles", "a good night", "a short walk",
    "a glass of water", "a plate of greens", "a steady routine", "your doctor", "a simple test",
)  # fmt: skip
SENTENCES = (
    "Small daily habits add up over time.",
    "Most people can start with one easy change.",
    "Research in this area is still growing.",
    "Some studies are small, so read bold claims with care.",
    "It helps to track how you feel for a few weeks.",
    "A doctor can tell you what fits your health.",
    "Many people notice a change within a month.",
    "The effect is real but often modest.",
    "Good sleep, food and movement work together.",
    "Ask a pharmacist before you mix medicines and supplements.",
    "Sudden or severe symptoms need care right away.",
    "Simple steps are often the ones people keep.",
)  # fmt: skip
# The four body sections by position (why it matters now, the context, how it works, what you can
# do), each in a few of the wordings an editor might choose.
SECTIONS = (
    ("Why {topic} matters now", "Why people ask about {topic}", "Why this matters"),
    ("What {topic} is", "The background", "What we know about {topic}"),
    ("How {topic} works", "What happens in the body", "What the studies show"),
    ("What you can do", "Steps to try", "What this means for you"),
)
CHANGE_NOTES = (
    "Checked every claim against its sources again; no change to the advice.",
    "Added a newer study and updated the figures that cite it.",
    "Reworded the advice on when to see a doctor to be clearer.",
    "Fixed a figure that did not match its source.",
)
ANGLES = ("what helps", "what to know", "common questions", "a plain guide")
START = dt.date(2016, 1, 1)


def tag_vocabulary(rng: random.Random) -> list[str]:
    """Every tag, in the order of popularity the Zipf law assigns."""
    tags = [topic if not facet else f"{topic}-{facet}" for facet in FACETS for topic in TOPICS]
    head, tail = tags[: len(TOPICS)], tags[len(TOPICS) :]
    rng.shuffle(head)
    rng.shuffle(tail)
    return head + tail  # plain topics are the common ones, faceted ones the long tail


def zipf_weights(count: int, exponent: float = 1.07) -> list[float]:
    """Weight of the tag of each popularity rank: 1 / rank^s."""
    return [1 / rank**exponent for rank in range(1, count + 1)]


def pictures(static_dir: Path) -> tuple[list[str], list[str]]:
    """The shipped SVGs, relative to the static folder: (heroes, other pictures)."""
    svgs = sorted(p.relative_to(static_dir).as_posix() for p in static_dir.glob("images/articles/*/*.svg"))
    heroes = [s for s in svgs if s.endswith("/hero.svg")]
    others = [s for s in svgs if not s.endswith("/hero.svg")]
    if not heroes or len(others) < 2:
        raise click.ClickException(f"{static_dir} needs hero.svg files and two other SVGs to reuse")
    return heroes, others


def quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def block(text: str, indent: str) -> str:
    """A YAML literal block scalar holding Markdown paragraphs."""
    return "|\n" + "\n".join(indent + line if line else "" for line in text.split("\n"))


def paragraph(rng: random.Random, refs: list[str], sentences: int = 4) -> str:
    """A few short plain sentences, the last citing one reference."""
    chosen = [rng.choice(SENTENCES) for _ in range(sentences - 1)]
    chosen.append(f"This matters for {rng.choice(WORDS)}[^{rng.choice(refs)}].")
    return " ".join(chosen)


def history(rng: random.Random, published: dt.date, updated: dt.date) -> list[str]:
    """The `changes:` lines: one entry on `updated` when it differs from `published`, maybe an older one."""
    if updated == published:
        return []
    dates = [updated]
    if (updated - published).days > 1 and rng.random() < 0.3:
        dates.append(published + dt.timedelta(days=rng.randrange(1, (updated - published).days)))
    entries = [f"  - date: {day}\n    note: {quoted(rng.choice(CHANGE_NOTES))}" for day in dates]
    return ["changes:", *entries]


def article(index: int, rng: random.Random, tags: list[str], weights: list[float], pics, slugs) -> str:
    """The text of one article file."""
    heroes, others = pics
    chosen_tags: list[str] = []
    wanted = rng.randint(2, 5)
    while len(chosen_tags) < wanted:
        tag = rng.choices(tags, weights)[0]
        if tag not in chosen_tags:
            chosen_tags.append(tag)
    topic = chosen_tags[0].replace("-", " ")
    title = f"{topic.capitalize()}: {rng.choice(ANGLES)}"
    refs = [f"source-{k}" for k in range(1, rng.randint(4, 6) + 1)]
    published = START + dt.timedelta(days=rng.randrange(3800))
    updated = published + dt.timedelta(days=rng.randrange(200))
    lines = [
        "---",
        f"title: {quoted(f'{title} ({index})')}",
        f"description: {quoted(f'A short, sourced guide to {topic}, number {index} of our test library.')}",
        f"published: {published}",
        f"updated: {updated}",
        f"reviewed: {updated}",
        f"next_review: {updated + dt.timedelta(days=365)}",
        *history(rng, published, updated),
        'author:\n  name: "Healthy Tips Editorial Team"\n  credentials: "Health writers"',
        'reviewer:\n  name: "Healthy Tips Fact-Check Desk"',
        f"tags: [{', '.join(chosen_tags)}]",
        f"hero:\n  src: {rng.choice(heroes)}\n  alt: {quoted(f'A simple drawing about {topic}.')}\n"
        "  width: 1200\n  height: 675",
        "gallery:",
    ]
    for src in rng.sample(others, rng.randint(2, min(3, len(others)))):
        caption = f"A diagram about {topic}[^{rng.choice(refs)}]."
        lines.append(
            f"  - src: {src}\n    alt: {quoted(f'A diagram about {topic}.')}\n    caption: {quoted(caption)}"
        )
        lines.append("    width: 800\n    height: 600")
    lines.append("key_insights:")
    lines += [f"  - {quoted(paragraph(rng, refs, 2))}" for _ in range(rng.randint(3, 5))]
    lines.append("faq:")
    for n in range(rng.randint(4, 6)):
        answer = paragraph(rng, refs) + "\n\n" + paragraph(rng, refs, 3)
        lines.append(f"  - question: {quoted(f'Question {n + 1} about {topic} ({index})?')}")
        lines.append(f"    answer: {block(answer, '      ')}")
    lines.append("misconceptions:")
    for _ in range(rng.randint(2, 3)):
        lines.append(f"  - myth: {quoted(f'One habit fixes {topic} for everyone.')}")
        lines.append(f"    fact: {quoted(paragraph(rng, refs, 2))}")
    lines.append(f"applies_to: {block(paragraph(rng, refs), '  ')}")
    lines.append(
        f"see_a_doctor: {block('See a doctor if:' + chr(10) * 2 + '- ' + paragraph(rng, refs, 2), '  ')}"
    )
    lines.append(f"final_thoughts: {block(paragraph(rng, refs), '  ')}")
    lines.append('cta: "Our newsletter sends one new article a week."')
    if slugs and rng.random() < 0.1:
        lines.append(f"related: [{rng.choice(slugs)}]")
    lines.append("references:")
    for ref in refs:
        lines.append(f"  - id: {ref}\n    title: {quoted(f'Synthetic study {ref} on {topic}')}")
        lines.append(f'    publisher: "Example Journal"\n    year: {published.year}')
        lines.append(f'    url: "https://www.example.org/studies/{index}/{ref}"')
    lines.append("---")
    body = ["\n\n".join(paragraph(rng, refs) for _ in range(2))]
    for wordings in SECTIONS:
        heading = rng.choice(wordings).format(topic=topic)
        body.append(
            f"## {heading}\n\n" + "\n\n".join(paragraph(rng, refs, 5) for _ in range(rng.randint(2, 4)))
        )
    for ref in refs:  # every reference is cited at least once
        body.append(f"Read more in this source[^{ref}].")
    return "\n".join(lines) + "\n" + "\n\n".join(body) + "\n"


def generate(count: int, folder: Path, static_dir: Path, seed: int = 1) -> list[Path]:
    """Write `count` articles into `folder` (removing older synthetic ones); return their paths."""
    rng = random.Random(seed)
    tags = tag_vocabulary(rng)
    weights = zipf_weights(len(tags))
    pics = pictures(static_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    slugs: list[str] = []
    with click.progressbar(range(count), label=f"Writing {count} articles", file=sys.stderr) as bar:
        for index in bar:
            slug = f"{PREFIX}{index:05d}"
            path = folder / f"{slug}.md"
            path.write_text(article(index, rng, tags, weights, pics, slugs), encoding="utf-8")
            written.append(path)
            slugs.append(slug)
    keep = set(written)
    for stale in folder.glob(f"{PREFIX}*.md"):
        if stale not in keep:
            stale.unlink()
    return written


@click.command()
@click.argument("count", type=click.IntRange(min=1))
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--static-dir", type=click.Path(file_okay=False, path_type=Path), default=ROOT / "static")
@click.option("--seed", type=int, default=1, show_default=True)
def main(count: int, folder: Path, static_dir: Path, seed: int) -> None:
    """Write COUNT synthetic articles into FOLDER (point FLASK_CONTENT_DIR at it)."""
    generate(count, folder, static_dir, seed)
    click.echo(f"Wrote {count} articles to {folder}.")


if __name__ == "__main__":
    main()

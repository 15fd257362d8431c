"""Render the 1200x630 social card of every article, the site's default card and its logo.

Run it again whenever an article is added or its title or first tag changes:
    .venv/bin/python scripts/make_social_cards.py
`--check` renders nothing; it exits 1 naming every card that is missing, the wrong size or stale.
"""

import argparse
import sys
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

from webapp.articles.loader import load_or_fail
from webapp.articles.model import Article, ContentError, tag_label
from webapp.reader.pwa import palette

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT, SCALE = 1200, 630, 2
LEADING = 1.18
LOGO_SIZE = 512
DESIGN = "1"  # bump when the artwork changes, so --check calls every card stale
COLORS = palette()[0]  # the light theme of static/css/site.css
DEEP, DARK, LIGHT, WHITE = COLORS["accent"], COLORS["accent-strong"], COLORS["accent-soft"], COLORS["bg"]
SITE_NAME = "Healthy Tips"
TAGLINE = "Health, explained plainly"
FOOTER = "Plain words. Every fact sourced."
FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)
REGENERATE = "Run `.venv/bin/python scripts/make_social_cards.py` and commit static/social/."


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    """A bold sans-serif font: DejaVu or Liberation when installed, else Pillow's built-in one."""
    for path in FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size * SCALE)
    return ImageFont.load_default(size * SCALE)


def brand_mark(draw: ImageDraw.ImageDraw, x: float, y: float, size: float, fill: str = DEEP) -> None:
    """Our mark (a circle with a white check) in a box of `size` at (x, y), as in the site header."""
    unit = size / 28
    draw.ellipse((x + unit, y + unit, x + 27 * unit, y + 27 * unit), fill=fill)
    points = [(x + px * unit, y + py * unit) for px, py in ((9, 14.5), (12.2, 17.7), (19.5, 10))]
    width = round(2.6 * unit)
    draw.line(points, fill=WHITE, width=width, joint="curve")
    for px, py in (points[0], points[-1]):
        draw.ellipse((px - width / 2, py - width / 2, px + width / 2, py + width / 2), fill=WHITE)


def wrap(draw: ImageDraw.ImageDraw, text: str, size: int, width: int, max_lines: int) -> list[str] | None:
    """Break text into lines no wider than width at this size, or None when it needs too many."""
    lines: list[str] = []
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(trial, font=font(size)) <= width:
            lines[-1] = trial
        else:
            lines.append(word)
    return lines if len(lines) <= max_lines else None


def fit_title(draw: ImageDraw.ImageDraw, title: str, width: int, height: int) -> tuple[int, list[str]]:
    """The largest size (76 down to 36) at which the title fits the box, in four lines at most."""
    for size in range(76, 35, -4):
        lines = wrap(draw, title, size, width, 4)
        if (
            lines
            and len(lines) * size * LEADING * SCALE <= height
            and all(draw.textlength(line, font=font(size)) <= width for line in lines)
        ):
            return size, lines
    lines = wrap(draw, title, 36, width, 99) or [title]
    return 36, lines[:3] + [lines[3].rstrip(".,;:") + "…"] if len(lines) > 4 else lines


def render_card(title: str, kicker: str) -> Image.Image:
    """Our artwork with a kicker line and the title in white; drawn at 2x, then scaled down."""
    s = SCALE
    card = Image.new("RGB", (WIDTH * s, HEIGHT * s), DEEP)
    draw = ImageDraw.Draw(card)
    draw.ellipse((880 * s, -260 * s, 1420 * s, 280 * s), fill=DARK)
    draw.ellipse((1010 * s, 430 * s, 1330 * s, 750 * s), outline=LIGHT, width=6 * s)
    draw.rounded_rectangle((64 * s, 56 * s, 380 * s, 128 * s), radius=36 * s, fill=LIGHT)
    brand_mark(draw, 78 * s, 64 * s, 56 * s)
    draw.text((146 * s, 92 * s), SITE_NAME, font=font(32), fill=DEEP, anchor="lm")
    top = 190
    if kicker:
        draw.text((80 * s, top * s), kicker.upper(), font=font(28), fill=LIGHT, anchor="lt")
        top += 58
    size, lines = fit_title(draw, title, 940 * s, (520 - top) * s)
    for n, line in enumerate(lines):
        draw.text((80 * s, (top + n * size * LEADING) * s), line, font=font(size), fill=WHITE, anchor="lt")
    draw.rectangle((80 * s, 548 * s, 160 * s, 554 * s), fill=LIGHT)
    draw.text((80 * s, 574 * s), FOOTER, font=font(24), fill=LIGHT, anchor="lm")
    # A 64-colour palette keeps the anti-aliased edges and makes the PNG about a third the size.
    return card.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS).quantize(64, dither=Image.Dither.NONE)


def render_logo() -> Image.Image:
    """The brand mark alone, 512 px square on transparency, for the publisher's logo."""
    big = Image.new("RGBA", (LOGO_SIZE * 4, LOGO_SIZE * 4), (0, 0, 0, 0))
    brand_mark(ImageDraw.Draw(big), 0, 0, LOGO_SIZE * 4)
    return big.resize((LOGO_SIZE, LOGO_SIZE), Image.Resampling.LANCZOS)


def wanted(articles: list[Article]) -> dict[str, tuple[str, str]]:
    """Every card file name with the (title, kicker) it must show."""
    cards = {f"{a.slug}.png": (a.title, tag_label(a.tags[0]).lower() if a.tags else "") for a in articles}
    cards["default.png"] = (TAGLINE, "")
    return cards


def source(title: str, kicker: str) -> str:
    """What a card was drawn from, stored in the PNG so --check can tell a stale card."""
    return f"{DESIGN}|{kicker}|{title}"


def save(image: Image.Image, path: Path, title: str, kicker: str) -> None:
    """Write a PNG with its title and source in text chunks."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Title", title)
    info.add_text("Card-Source", source(title, kicker))
    image.save(path, optimize=True, pnginfo=info)


def problems(out: Path, articles: list[Article]) -> dict[str, str]:
    """Every missing, wrongly sized, stale or orphaned card (and a missing logo), by file name."""
    found: dict[str, str] = {}
    cards = wanted(articles)
    for name, (title, kicker) in cards.items():
        if not (out / name).exists():
            found[name] = "missing"
            continue
        with Image.open(out / name) as image:
            if image.size != (WIDTH, HEIGHT):
                found[name] = f"{image.size[0]}x{image.size[1]}, not {WIDTH}x{HEIGHT}"
            elif image.text.get("Card-Source") != source(title, kicker):
                found[name] = f"stale: drawn for {image.text.get('Title')!r}, the article now says {title!r}"
    for path in sorted(out.glob("*.png")):
        if path.name not in cards and path.name != "logo.png":
            found[path.name] = "no article has this slug any more"
    if not (out / "logo.png").exists():
        found["logo.png"] = "missing"
    return found


def make(out: Path, articles: list[Article]) -> int:
    """Draw every card that is missing or stale and drop orphans; return how many were drawn."""
    out.mkdir(parents=True, exist_ok=True)
    cards = wanted(articles)
    todo = problems(out, articles)
    for name in todo:
        if name in cards:
            title, kicker = cards[name]
            save(render_card(title, kicker), out / name, title, kicker)
        elif name == "logo.png":
            render_logo().save(out / name, optimize=True)
        else:
            (out / name).unlink()
    return sum(name in cards for name in todo)


def main(argv: list[str] | None = None) -> int:
    """Draw the cards, or with --check report the ones that need drawing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report missing or stale cards; draw nothing")
    parser.add_argument("--content-dir", type=Path, default=ROOT / "content")
    parser.add_argument("--static-dir", type=Path, default=ROOT / "static")
    parser.add_argument("--out", type=Path, default=ROOT / "static" / "social")
    args = parser.parse_args(argv)
    try:
        articles = load_or_fail(args.content_dir, args.static_dir)
    except ContentError as error:
        print(f"The content has problems; fix them first:\n{error}", file=sys.stderr)
        return 1
    if args.check:
        found = problems(args.out, articles)
        for name, message in found.items():
            print(f"{args.out / name}: {message}", file=sys.stderr)
        if found:
            print(f"{len(found)} social card(s) need drawing. {REGENERATE}", file=sys.stderr)
        return 1 if found else 0
    drawn = make(args.out, articles)
    print(f"{drawn} card(s) drawn, {len(articles)} article(s) in all, in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Social cards: every article has a 1200x630 card drawn for its current title, by our script."""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "make_social_cards.py"
CARDS = ROOT / "static" / "social"
CONTENT = Path(os.environ.get("FLASK_CONTENT_DIR") or ROOT / "content")


REGENERATE = (
    "re-run `.venv/bin/python scripts/make_social_cards.py` after adding an article or changing a title "
    "or first tag, and commit static/social/"
)


def run(*args: str) -> subprocess.CompletedProcess:
    """Run the card script and capture what it says."""
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--content-dir", str(CONTENT), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},  # this checkout's webapp, whatever is installed
        timeout=120,
    )


@pytest.fixture(scope="module")
def cards_script():
    """The script as a module, to call its main() in this process."""
    spec = importlib.util.spec_from_file_location("make_social_cards", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def articles():
    """The articles in the content folder."""
    from webapp.articles.loader import load_or_fail

    return load_or_fail(CONTENT, ROOT / "static")


def test_every_article_has_an_up_to_date_card():
    result = run("--check")
    assert result.returncode == 0, f"Social cards are missing or stale: {REGENERATE}.\n{result.stderr}"


def test_cards_are_1200x630_pngs_with_the_article_title(articles):
    assert articles
    for article in articles:
        assert (CARDS / f"{article.slug}.png").exists(), f"{article.slug} has no card: {REGENERATE}"
        with Image.open(CARDS / f"{article.slug}.png") as card:
            assert (card.format, card.size) == ("PNG", (1200, 630)), article.slug
            assert card.text["Title"] == article.title
            assert card.convert("RGB").getpixel((4, 4)) == (0x0F, 0x76, 0x6E)  # our deep teal
    with Image.open(CARDS / "default.png") as card:
        assert (card.format, card.size) == ("PNG", (1200, 630))
    with Image.open(CARDS / "logo.png") as logo:
        assert logo.size == (512, 512)


def test_check_names_a_stale_card_and_says_how_to_fix_it(tmp_path, articles):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    slug = articles[0].slug
    source = (content / f"{slug}.md").read_text()
    changed = re.sub(r"(?m)^title: .*$", 'title: "A new title nobody has drawn yet"', source, count=1)
    (content / f"{slug}.md").write_text(changed)
    result = run("--check", "--content-dir", str(content))
    assert result.returncode == 1
    assert f"{slug}.png: stale" in result.stderr and "A new title nobody has drawn yet" in result.stderr
    assert "scripts/make_social_cards.py" in result.stderr


def test_script_draws_missing_cards_and_drops_orphans_then_checks_clean(
    tmp_path, articles, cards_script, capsys
):
    out = tmp_path / "social"
    shutil.copytree(CARDS, out)
    slug = articles[-1].slug
    (out / f"{slug}.png").unlink()
    (out / "logo.png").unlink()
    (out / "removed-article.png").write_bytes((CARDS / "default.png").read_bytes())
    common = ["--content-dir", str(CONTENT), "--out", str(out)]
    assert cards_script.main(["--check", *common]) == 1
    missing = capsys.readouterr().err
    assert f"{slug}.png: missing" in missing and "removed-article.png" in missing
    assert cards_script.main(common) == 0
    assert capsys.readouterr().out.startswith("1 card(s) drawn")
    names = {p.name for p in out.glob("*.png")}
    assert names == {f"{a.slug}.png" for a in articles} | {"default.png", "logo.png"}
    with Image.open(out / f"{slug}.png") as card:
        assert card.size == (1200, 630) and card.text["Title"] == articles[-1].title
    assert cards_script.main(["--check", *common]) == 0

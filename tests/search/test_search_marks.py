"""Marking matches: the same words the index matched, escaped, in titles, headings and snippets."""

import dataclasses
import random
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.articles.loader import load_articles
from webapp.search import text
from webapp.search.marks import TOKEN, Matcher
from webapp.search.rank import PREFIX_FROM

ROOT = text.__file__.rsplit("/webapp/", 1)[0]
WORD = re.compile(r"[A-Za-z]+")


def test_the_quick_screen_finds_what_reading_every_word_finds():
    articles, _ = load_articles(Path(ROOT) / "content", Path(ROOT) / "static")
    rng = random.Random(17)
    for article in articles:
        parts = text.document(article).parts
        words = WORD.findall(" ".join(part.text for part in parts))
        for _ in range(40):
            query = [rng.choice(words) for _ in range(rng.randint(1, 3))]
            query[-1] = query[-1][: rng.randint(1, len(query[-1]))]  # the last word maybe half typed
            quick = Matcher.of(query, PREFIX_FROM)
            slow = dataclasses.replace(quick, screen=None)
            for part in parts:
                assert quick.words_in(part.text) == slow.words_in(part.text), (query, part.anchor)
                assert quick.mark(part.text) == slow.mark(part.text), (query, part.anchor)


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.from_regex(r"[a-zA-Z]{1,12}", fullmatch=True), min_size=1, max_size=3),
       sample=st.text(alphabet="abcdefghijklmnopqrstuvwxyz ABCIES,.'-<>&", max_size=200))  # fmt: skip
def test_marks_agree_on_any_text(words, sample):
    quick = Matcher.of(words, PREFIX_FROM)
    slow = dataclasses.replace(quick, screen=None)
    assert quick.mark(sample) == slow.mark(sample)


def test_marks_escape_the_text_around_them():
    matcher = Matcher.of(["zinc"], PREFIX_FROM)
    assert (
        matcher.mark("<b>Zinc</b> & zincs") == "&lt;b&gt;<mark>Zinc</mark>&lt;/b&gt; &amp; <mark>zincs</mark>"
    )


def test_accented_text_is_marked_by_its_folded_stem():
    assert Matcher.of(["cafe"], PREFIX_FROM).mark("Un café, des cafés") == (
        "Un <mark>café</mark>, des <mark>cafés</mark>"
    )


def test_snippets_start_near_the_first_match_and_say_where_they_are_cut():
    sentence = (
        " ".join(f"word{n}" for n in range(60)) + " magnesium " + " ".join(f"tail{n}" for n in range(60))
    )
    snippet = str(Matcher.of(["magnesium"], PREFIX_FROM).snippet(sentence, 24))
    assert snippet.startswith("…word56 ") and snippet.endswith("…")
    assert "<mark>magnesium</mark>" in snippet and len(snippet.split()) == 24


SOME_WORDS = ["zinc", "Zincs", "iron", "irony", "tin", "zi", "é", "—", "<b>", "a_zinc"]


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(st.sampled_from(["zinc", "iron", "zi"]), min_size=1, max_size=2),
    texts=st.lists(st.lists(st.sampled_from(SOME_WORDS), max_size=6).map(" ".join), max_size=6),
)
def test_texts_read_together_find_what_each_text_read_alone_finds(words, texts):
    matcher = Matcher.of(words, PREFIX_FROM)
    alone = [{matcher.which(token) for token in TOKEN.findall(text)} - {None} for text in texts]
    assert matcher.words_each(texts) == alone


def counted_snippet(matcher: Matcher, text: str, words: int) -> str:
    """The snippet as counted over every word of the text: `words` words from 4 before the first
    match, moved back when the text ends sooner."""
    tokens = [token.span() for token in TOKEN.finditer(text)]
    if not tokens:
        return ""
    first = next((n for n, (a, b) in enumerate(tokens) if matcher.which(text[a:b]) is not None), 0)
    start = max(0, min(first - 4, len(tokens) - words))
    end = min(len(tokens), start + words)
    begin = 0 if start == 0 else tokens[start][0]
    stop = len(text) if end == len(tokens) else tokens[end - 1][1]
    inner = str(matcher.mark(text[begin:stop]))
    return ("…" if begin else "") + inner + ("…" if stop < len(text) else "")


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.sampled_from(["zinc", "iron", "zi"]), min_size=1, max_size=2),
       before=st.lists(st.from_regex(r"[a-z]{1,30}|[—<>&é]", fullmatch=True), max_size=60),
       after=st.lists(st.sampled_from(SOME_WORDS + ["word"]), max_size=40),
       words_shown=st.integers(1, 30))  # fmt: skip
def test_a_snippet_read_around_its_match_is_the_one_counted_over_all(words, before, after, words_shown):
    matcher = Matcher.of(words, PREFIX_FROM)
    text = " ".join(before + after)
    assert str(matcher.snippet(text, words_shown)) == counted_snippet(matcher, text, words_shown)

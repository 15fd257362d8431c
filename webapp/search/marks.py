"""Which words of a text match a query, the way the index matched them, and the text with them marked.

The index stems words with the Porter algorithm; PyStemmer's Porter stemmer gives the same stems, so a
title, heading or snippet marks exactly the words that made the article match ("sleeping" for sleep),
and the last word as a prefix ("melat" marks Melatonin).
"""

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import Stemmer
from markupsafe import Markup, escape

TOKEN = re.compile(r"[^\W_]+")
MARK = Markup("<mark>{}</mark>")
_porter = Stemmer.Stemmer("porter")


def fold(word: str) -> str:
    """A word as the index holds it: lower case, without accents."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A word's Porter stem, lower case and without accents, as the index holds it (FTS5's porter
    leaves words of under 3 or over 64 characters as they are)."""
    folded = fold(word)
    return _porter.stemWord(folded) if 3 <= len(folded) <= 64 else folded


@dataclass(frozen=True, slots=True)
class Matcher:
    """The stems a query looks for: whole words, and the last one also as a prefix."""

    stems: tuple[str, ...]
    prefix: str | None
    screen: re.Pattern | None  # finds, in ASCII text, the only tokens that can match (a Porter stem
    # keeps all but maybe its last letter from the word: "happy" -> "happi")

    @classmethod
    def of(cls, words: list[str], prefix_from: int) -> "Matcher":
        """The matcher of a query's words (the last a prefix when at least `prefix_from` long)."""
        stems = tuple(stem(w) for w in words)
        last = stems[-1] if words and len(words[-1]) >= prefix_from else None
        starts = sorted({s[:-1] if len(s) > 2 else s for s in stems if s}, key=len, reverse=True)
        pattern = r"(?<![^\W_])(?:" + "|".join(map(re.escape, starts)) + r")[^\W_]*"
        return cls(
            stems,
            last,
            re.compile(pattern, re.IGNORECASE) if starts and all(map(str.isascii, starts)) else None,
        )

    def _tokens(self, text: str, begin: int = 0, stop: int | None = None):
        """The tokens of text[begin:stop] that may match (all of them in text with accents)."""
        stop = len(text) if stop is None else stop
        if self.screen is not None and text.isascii():
            return self.screen.finditer(text, begin, stop)
        return TOKEN.finditer(text, begin, stop)

    def which(self, token: str) -> int | None:
        """The index of the query word a token matches, if any."""
        found = stem(token)
        for n, wanted in enumerate(self.stems):
            if found == wanted:
                return n
        if self.prefix is not None and found.startswith(self.prefix):
            return len(self.stems) - 1
        return None

    def words_in(self, text: str) -> set[int]:
        """The query words a text contains."""
        return {n for token in self._tokens(text) if (n := self.which(token.group())) is not None}

    def mark(self, text: str) -> Markup:
        """The whole text, escaped, with matching words in <mark>."""
        return self._marked(text, 0, len(text))

    def snippet(self, text: str, words: int) -> Markup:
        """About `words` words of text around its first match, escaped and marked, with … where cut."""
        tokens = list(TOKEN.finditer(text))
        if not tokens:
            return Markup("")
        hit = next((t.start() for t in self._tokens(text) if self.which(t.group()) is not None), 0)
        first = bisect.bisect_left([t.start() for t in tokens], hit)
        start = max(0, min(first - 4, len(tokens) - words))
        end = min(len(tokens), start + words)
        begin = 0 if start == 0 else tokens[start].start()
        stop = len(text) if end == len(tokens) else tokens[end - 1].end()
        cut_before, cut_after = ("…" if begin else ""), ("…" if stop < len(text) else "")
        return Markup(cut_before) + self._marked(text, begin, stop) + Markup(cut_after)

    def _marked(self, text: str, begin: int, stop: int) -> Markup:
        """text[begin:stop], escaped, with matching words in <mark>."""
        out, at = [], begin
        for token in self._tokens(text, begin, stop):
            if self.which(token.group()) is not None:
                out += [
                    escape(text[at : token.start()]),
                    Markup("<mark>"),
                    escape(token.group()),
                    Markup("</mark>"),
                ]
                at = token.end()
        out.append(escape(text[at:stop]))
        return Markup("").join(out)

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
from itertools import accumulate, islice

import Stemmer
from markupsafe import Markup, escape

TOKEN = re.compile(r"[^\W_]+")
ASCII_TOKEN = re.compile(r"[A-Za-z0-9]*")  # the rest of a token, in ASCII text
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
    screen: tuple[str, ...] | None  # how the only tokens that can match begin, in lower case (a Porter
    # stem keeps all but maybe its last letter from the word: "happy" -> "happi"); None if not ASCII

    @classmethod
    def of(cls, words: list[str], prefix_from: int) -> "Matcher":
        """The matcher of a query's words (the last a prefix when at least `prefix_from` long)."""
        stems = tuple(stem(w) for w in words)
        last = stems[-1] if words and len(words[-1]) >= prefix_from else None
        starts = tuple(sorted({s[:-1] if len(s) > 2 else s for s in stems if s}))
        return cls(stems, last, starts if starts and all(map(str.isascii, starts)) else None)

    def _spans(self, text: str) -> list[tuple[int, int]]:
        """Where the tokens of a text that may match are, in order (every token, in text with letters
        outside ASCII). In ASCII text `str.find` finds their beginnings: many times faster than a
        regular expression reading every letter."""
        if self.screen is None or not text.isascii():
            return [token.span() for token in TOKEN.finditer(text)]
        lower, found = text.lower(), set()
        for start in self.screen:
            at = lower.find(start)
            while at >= 0:
                if at == 0 or not lower[at - 1].isalnum():  # a token begins here
                    found.add(at)
                at = lower.find(start, at + 1)
        return [(at, ASCII_TOKEN.match(text, at).end()) for at in sorted(found)]

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
        return self.words_each([text])[0]

    def words_each(self, texts: list[str]) -> list[set[int]]:
        """The query words each text contains: the texts read as one (a line each), in one pass."""
        joined = "\n".join(texts)
        ends = list(accumulate(len(text) + 1 for text in texts))  # where each text's line ends
        found: list[set[int]] = [set() for _ in texts]
        seen: dict[str, int | None] = {}  # a word is often there many times
        for start, end in self._spans(joined):
            token = joined[start:end]
            if token not in seen:
                seen[token] = self.which(token)
            if seen[token] is not None:
                found[bisect.bisect_right(ends, start)].add(seen[token])
        return found

    def matches(self, text: str) -> list[tuple[int, int]]:
        """Where the tokens of a text that match are, in order."""
        return [(start, end) for start, end in self._spans(text) if self.which(text[start:end]) is not None]

    def mark(self, text: str) -> Markup:
        """The whole text, escaped, with matching words in <mark>."""
        return Markup(self._marked(text, 0, len(text), self.matches(text)))

    def snippet(self, text: str, words: int) -> Markup:
        """About `words` words of text around its first match, escaped and marked, with … where cut.
        Only the words around the match are read, not the whole text."""
        found = self.matches(text)
        hit = found[0][0] if found else 0
        after = [token.span() for token in islice(TOKEN.finditer(text, hit), words + 1)]
        if not after:
            return Markup("")
        back = 4 if len(after) > words else max(4, words - len(after))  # words shown before the match
        tokens = self._before(text, hit, back) + after
        start = max(0, len(tokens) - len(after) - back)
        begin = 0 if start == 0 else tokens[start][0]
        stop = len(text) if start + words >= len(tokens) else tokens[start + words - 1][1]
        cut_before, cut_after = ("…" if begin else ""), ("…" if stop < len(text) else "")
        return Markup(cut_before + self._marked(text, begin, stop, found) + cut_after)

    @staticmethod
    def _before(text: str, hit: int, count: int) -> list[tuple[int, int]]:
        """The tokens before `hit`, read in a window that grows until it holds `count` whole ones and
        the one it may cut (it is never shown), or reaches the start of the text."""
        low = max(0, hit - 8 * (count + 1))
        while True:
            tokens = [token.span() for token in TOKEN.finditer(text, low, hit)]
            if low == 0 or len(tokens) > count:
                return tokens
            low = max(0, 2 * low - hit)

    @staticmethod
    def _marked(text: str, begin: int, stop: int, found: list[tuple[int, int]]) -> str:
        """text[begin:stop], escaped, with the matches `found` in it in <mark> (a token is letters and
        digits only: it needs no escaping)."""
        out, at = [], begin
        for start, end in found:
            if begin <= start and end <= stop:
                out += [escape(text[at:start]), "<mark>", text[start:end], "</mark>"]
                at = end
        out.append(escape(text[at:stop]))
        return "".join(out)

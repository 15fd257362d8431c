"""What marketers read off the counters: the date range, each article's figures and rates, its questions
and the signups of readers who opened one against those who did not (no Flask, no database)."""

from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_DAYS = 30
PRESETS = (7, 30, 90, 365)
MAX_DAYS = 3 * 366
SPARK_DAYS = 90
# Sortable columns: name -> (heading, default direction is descending)
COLUMNS = {
    "title": ("Article", False),
    "views": ("Views", True),
    "read_rate": ("Read to the end", True),
    "cta_rate": ("Saw the signup form", True),
    "signups": ("Signups", True),
    "conversion": ("Signups per 100 views", True),
}


class BadRange(ValueError):
    """Dates that make no range, with what to fix."""


@dataclass(frozen=True, slots=True)
class DateRange:
    """The days from `start` to `end`, both included (UTC)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days the range spans."""
        return (self.end - self.start).days + 1


def last_days(days: int, today: date) -> DateRange:
    """The `days` days ending today."""
    return DateRange(today - timedelta(days=days - 1), today)


def date_range(start: str | None, end: str | None, today: date) -> DateRange:
    """The range a form asked for (YYYY-MM-DD each; either may be empty); the last 30 days by default."""
    try:
        last = date.fromisoformat(end) if end else today
        first = date.fromisoformat(start) if start else last - timedelta(days=DEFAULT_DAYS - 1)
    except ValueError:
        raise BadRange("Give the dates as YYYY-MM-DD, like 2026-11-01.") from None
    if first > last:
        raise BadRange("The first day comes after the last day.")
    if (last - first).days + 1 > MAX_DAYS:
        raise BadRange(f"Choose at most {MAX_DAYS} days.")
    return DateRange(first, last)


def rate(part: int, whole: int) -> float | None:
    """`part` per 100 of `whole`, to one decimal; None when there is no whole to divide."""
    return round(100 * part / whole, 1) if whole > 0 else None


@dataclass(frozen=True, slots=True)
class ArticleFigures:
    """One article's counters over a range."""

    slug: str
    title: str
    views: int = 0
    reads: int = 0
    cta_views: int = 0
    faq_readers: int = 0
    signups: int = 0
    signups_after_faq: int = 0
    confirmed: int = 0

    @property
    def read_rate(self) -> float | None:
        """Views that reached the end of the body, per 100."""
        return rate(self.reads, self.views)

    @property
    def cta_rate(self) -> float | None:
        """Views that saw the signup form, per 100."""
        return rate(self.cta_views, self.views)

    @property
    def conversion(self) -> float | None:
        """Signups per 100 views."""
        return rate(self.signups, self.views)

    @property
    def opened_rate(self) -> float | None:
        """Signups per 100 views in which a question was opened."""
        return rate(self.signups_after_faq, self.faq_readers)

    @property
    def other_views(self) -> int:
        """Views in which no question was opened."""
        return max(self.views - self.faq_readers, 0)

    @property
    def other_signups(self) -> int:
        """Signups from views in which no question was opened."""
        return max(self.signups - self.signups_after_faq, 0)

    @property
    def other_rate(self) -> float | None:
        """Signups per 100 views in which no question was opened."""
        return rate(self.other_signups, self.other_views)


def article_figures(totals: dict[str, dict[str, int]], titles: dict[str, str]) -> list[ArticleFigures]:
    """Every article being served (zeros when nothing was counted) and any counted one since removed."""
    slugs = list(titles) + sorted(slug for slug in totals if slug not in titles)
    return [ArticleFigures(slug, titles.get(slug, slug), **totals.get(slug, {})) for slug in slugs]


def site_figures(rows: list[ArticleFigures]) -> ArticleFigures:
    """The whole site: every counter summed."""
    names = [name for name in ArticleFigures.__dataclass_fields__ if name not in ("slug", "title")]
    sums = {name: sum(getattr(row, name) for row in rows) for name in names}
    return ArticleFigures("", "All articles", **sums)


def sort_figures(rows: list[ArticleFigures], column: str, descending: bool) -> list[ArticleFigures]:
    """Rows by one column; rows without a value (no views) always last, ties by title."""
    by_title = sorted(rows, key=lambda row: row.title.casefold())
    if column == "title":
        return by_title[::-1] if descending else by_title
    known = [row for row in by_title if getattr(row, column) is not None]
    unknown = [row for row in by_title if getattr(row, column) is None]
    return sorted(known, key=lambda row: getattr(row, column), reverse=descending) + unknown


@dataclass(frozen=True, slots=True)
class QuestionFigures:
    """One FAQ question over a range."""

    number: int
    question: str
    opens: int
    open_rate: float | None  # opens per 100 views
    signups: int  # signups by readers who had opened it


def question_figures(
    questions: list[str], counted: dict[int, tuple[int, int]], views: int
) -> list[QuestionFigures]:
    """The article's questions, most opened first (then in page order)."""
    rows = []
    for number, text in enumerate(questions, start=1):
        opens, signups = counted.get(number, (0, 0))
        rows.append(QuestionFigures(number, text, opens, rate(opens, views), signups))
    return sorted(rows, key=lambda row: (-row.opens, row.number))

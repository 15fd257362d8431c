"""The marketers' dashboard figures: a 90-day bar chart laid out for server-rendered SVG (no Flask)."""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class Bar:
    """One day's bar, in SVG user units."""

    day: date
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Chart:
    """A bar chart of signups per day: bars, horizontal grid lines and month labels."""

    width: int
    height: int
    bars: tuple[Bar, ...]
    gridlines: tuple[tuple[float, int], ...]  # (y, value)
    labels: tuple[tuple[float, str], ...]  # (x, text)
    total: int
    peak: int
    first: date
    last: date


LEFT, BOTTOM, TOP = 36, 24, 8


def daily_series(per_day: dict[date, int], today: date, days: int = 90) -> list[tuple[date, int]]:
    """One (day, count) per calendar day, oldest first, ending today; days without signups count 0."""
    first = today - timedelta(days=days - 1)
    return [(first + timedelta(days=n), per_day.get(first + timedelta(days=n), 0)) for n in range(days)]


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50... that is at least `value` (so grid values are round)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def bar_chart(
    series: list[tuple[date, int]], width: int = 720, height: int = 220, axes: bool = True
) -> Chart:
    """Lay out one bar per day; the vertical scale tops out at a round number above the busiest day.
    Without axes (a sparkline), the bars fill the whole box and the scale tops out at the busiest day."""
    left, below, above = (LEFT, BOTTOM, TOP) if axes else (0, 0, 0)
    peak = max((count for _, count in series), default=0)
    top = nice_ceiling(max(peak, 4)) if axes else max(peak, 1)
    plot_width, plot_height = width - left, height - below - above
    slot = plot_width / max(len(series), 1)
    bars = []
    for index, (day, count) in enumerate(series):
        bar_height = plot_height * count / top
        x = left + index * slot + slot * 0.15
        y = above + plot_height - bar_height
        bars.append(Bar(day, count, round(x, 2), round(y, 2), round(slot * 0.7, 2), round(bar_height, 2)))
    gridlines = tuple(
        (round(above + plot_height - plot_height * value / top, 2), value) for value in (0, top // 2, top)
    )
    labels = tuple(
        (round(left + index * slot, 2), f"{day:%b} {day.day}")
        for index, (day, _) in enumerate(series)
        if day.day == 1 or index == 0
    )
    if not axes:
        gridlines, labels = (), ()
    return Chart(
        width=width,
        height=height,
        bars=tuple(bars),
        gridlines=gridlines,
        labels=labels,
        total=sum(count for _, count in series),
        peak=peak,
        first=series[0][0] if series else date.today(),
        last=series[-1][0] if series else date.today(),
    )


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """One line of the signups-per-article table."""

    title: str
    slug: str | None
    signups: int
    subscribed: int
    share: float  # of all signups, in percent


def article_rows(per_article: list[tuple[str | None, int, int]], titles: dict[str, str]) -> list[ArticleRow]:
    """Signups per article, best first, with titles (articles since removed keep their slug)."""
    total = sum(count for _, count, _ in per_article) or 1
    return [
        ArticleRow(
            title=titles.get(slug, slug) if slug else "No article (the newsletter page)",
            slug=slug,
            signups=count,
            subscribed=still,
            share=round(100 * count / total, 1),
        )
        for slug, count, still in per_article
    ]

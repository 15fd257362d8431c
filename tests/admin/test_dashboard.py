"""The dashboard's pure figures: the 90-day series, the bar chart layout and the per-article table."""

from datetime import date, timedelta

from webapp.admin.dashboard import article_rows, bar_chart, daily_series, nice_ceiling

TODAY = date(2026, 11, 20)


def test_the_series_has_every_one_of_90_days_ending_today():
    series = daily_series({TODAY: 3, TODAY - timedelta(days=89): 1, TODAY - timedelta(days=90): 50}, TODAY)
    assert len(series) == 90 and series[0] == (TODAY - timedelta(days=89), 1) and series[-1] == (TODAY, 3)
    assert sum(count for _, count in series) == 4  # the 91st day back is outside the chart


def test_bars_are_proportional_and_sit_on_the_baseline():
    chart = bar_chart(daily_series({TODAY: 10, TODAY - timedelta(days=1): 5}, TODAY))
    tall, short = chart.bars[-1], chart.bars[-2]
    assert tall.height == 2 * short.height and tall.height > 0
    baseline = round(chart.gridlines[0][0], 1)
    assert round(tall.y + tall.height, 1) == round(short.y + short.height, 1) == baseline
    assert all(bar.height == 0 for bar in chart.bars[:-2])
    assert chart.total == 15 and chart.peak == 10 and [value for _, value in chart.gridlines] == [0, 5, 10]
    assert all(0 <= bar.x and bar.x + bar.width <= chart.width for bar in chart.bars)


def test_month_starts_are_labelled():
    chart = bar_chart(daily_series({}, TODAY))
    assert [text for _, text in chart.labels] == ["Aug 23", "Sep 1", "Oct 1", "Nov 1"]
    assert chart.total == 0 and chart.peak == 0


def test_the_scale_tops_out_at_a_round_number():
    assert [nice_ceiling(n) for n in (1, 3, 4, 6, 11, 51, 101)] == [1, 5, 5, 10, 20, 100, 200]


def test_articles_are_listed_with_titles_and_their_share():
    rows = article_rows([("sleep", 3, 2), (None, 1, 1), ("removed", 1, 0)], {"sleep": "Sleep well"})
    assert [(row.title, row.signups, row.subscribed, row.share) for row in rows] == [
        ("Sleep well", 3, 2, 60.0),
        ("No article (the newsletter page)", 1, 1, 20.0),
        ("removed", 1, 0, 20.0),
    ]

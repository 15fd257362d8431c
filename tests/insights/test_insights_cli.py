"""`flask insights export`: the daily rows match the events sent, as CSV and JSON, with --since."""

import csv
import io
import json

from insights_helpers import send_scenario

from webapp.articles.library import get_library
from webapp.db.schema import utcnow


def two_slugs(app) -> tuple[str, str]:
    """Two real articles, the first with at least two questions."""
    with app.app_context():
        articles = get_library().articles
        first = next(a.slug for a in articles if len(a.faq) >= 2)
        return first, next(a.slug for a in articles if a.slug != first)


def test_the_csv_export_has_one_row_per_article_and_day_matching_the_events(app, client, runner):
    first, second = two_slugs(app)
    send_scenario(client, first, second)
    result = runner.invoke(args=["insights", "export", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    today = utcnow().date().isoformat()
    assert list(rows[0]) == [
        "day",
        "article",
        "views",
        "reads",
        "faq_opens",
        "cta_views",
        "signups",
        "confirmed",
    ]
    assert sorted(rows, key=lambda row: row["article"] != first) == [
        {"day": today, "article": first, "views": "4", "reads": "3", "faq_opens": "3", "cta_views": "2",
         "signups": "2", "confirmed": "0"},
        {"day": today, "article": second, "views": "2", "reads": "1", "faq_opens": "0", "cta_views": "0",
         "signups": "0", "confirmed": "0"},
    ]  # fmt: skip


def test_the_json_export_and_since(app, client, runner):
    first, second = two_slugs(app)
    send_scenario(client, first, second)
    today = utcnow().date().isoformat()
    rows = json.loads(runner.invoke(args=["insights", "export", "--format", "json", "--since", today]).output)
    assert {(row["article"], row["views"], row["faq_opens"], row["signups"]) for row in rows} == {
        (first, 4, 3, 2),
        (second, 2, 0, 0),
    }
    later = runner.invoke(args=["insights", "export", "--format", "json", "--since", "2999-01-01"])
    assert json.loads(later.output) == []


def test_a_bad_since_or_format_is_refused_with_a_message(runner):
    for args in (["--since", "yesterday"], ["--format", "xml"]):
        result = runner.invoke(args=["insights", "export", *args])
        assert result.exit_code == 2 and "Invalid value" in result.output


def test_flush_without_a_buffer_says_so(runner):
    result = runner.invoke(args=["insights", "flush"])
    assert result.exit_code == 0 and "No buffer configured" in result.output

"""The pure parts of insights: referrer hosts, UTM tags, the signup form's question list, date ranges,
rates and sorting, without Flask or a database."""

from datetime import date

import pytest

from webapp.insights import events, report


@pytest.mark.parametrize(
    "value, host",
    [("News.Example", "news.example"), ("news.example:8443", "news.example"), ("[::1]:8000", "::1"),
     ("192.0.2.7:80", "192.0.2.7"), ("xn--bcher-kva.example", "xn--bcher-kva.example")],
)  # fmt: skip
def test_a_referrer_is_reduced_to_its_host(value, host):
    assert events.referrer_host(value) == host


@pytest.mark.parametrize(
    "value", ["", "news.example/path", "user@news.example", "a b.example", "x" * 300, "-x."]
)
def test_anything_but_a_host_is_refused(value):
    with pytest.raises(events.InvalidBatch):
        events.referrer_host(value)


def test_utm_tags_come_from_the_landing_url_cleaned_and_cut():
    url = "https://site.example/articles/a?utm_source=News%0Aletter&utm_medium=&utm_campaign=" + "c" * 150
    assert events.utm_tags(url + "&utm_source=second&utm_term=x") == (
        ("utm_source", "Newsletter"),
        ("utm_campaign", "c" * events.UTM_LENGTH),
    )
    assert events.utm_tags("https://site.example/articles/a") == ()
    assert events.utm_tags("https://site.example/?" + "&".join(f"f{n}=1" for n in range(60))) == ()


@pytest.mark.parametrize(
    "field, expected",
    [("2,1", (2, 1)), ("", ()), ("1,1,3", (1, 3)), ("0,4,x,-1, 2", (2,)), ("9", ())],
)
def test_the_signup_forms_question_list_keeps_only_questions_on_the_page(field, expected):
    assert events.opened_questions(field, questions_on_page=3) == expected


def test_a_date_range_defaults_to_30_days_and_refuses_nonsense():
    today = date(2026, 12, 2)
    assert report.date_range(None, None, today) == report.DateRange(date(2026, 11, 3), today)
    assert report.date_range("2026-11-30", "", today).days == 3
    for start, end in (("2026-12-02", "2026-12-01"), ("yesterday", None), ("2020-01-01", "2026-01-01")):
        with pytest.raises(report.BadRange):
            report.date_range(start, end, today)


def test_rates_and_sorting_put_articles_without_views_last():
    rows = report.article_figures(
        {"b": {"views": 10, "reads": 5, "signups": 1}, "gone": {"views": 4, "reads": 4}},
        {"a": "Alpha", "b": "Beta"},
    )
    assert [(row.slug, row.read_rate, row.conversion) for row in rows] == [
        ("a", None, None),
        ("b", 50.0, 10.0),
        ("gone", 100.0, 0.0),
    ]
    assert [row.slug for row in report.sort_figures(rows, "read_rate", True)] == ["gone", "b", "a"]
    assert [row.slug for row in report.sort_figures(rows, "read_rate", False)] == ["b", "gone", "a"]
    site = report.site_figures(rows)
    assert (site.views, site.reads, site.signups, site.read_rate) == (14, 9, 1, 64.3)


def test_batches_are_remembered_for_one_library_and_forgotten_past_the_size():
    served, reloaded = object(), object()  # two versions of the library
    batch = events.Batch("a", frozenset({"read"}), (), False, None)
    remembered = events.Remembered(size=2)
    remembered.put(served, (b"body",), batch)
    assert remembered.get(served, (b"body",)) is batch
    assert remembered.get(reloaded, (b"body",)) is None
    assert remembered.get(served, (b"body",)) is None  # forgotten with the library it was parsed for
    for n in range(3):
        remembered.put(served, (bytes([n]),), batch)
    assert sum(remembered.get(served, (bytes([n]),)) is batch for n in range(3)) <= 2

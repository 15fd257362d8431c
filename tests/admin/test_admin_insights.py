"""The marketers' Articles view (/admin/articles): behind the sign-in, its figures match the events
sent, it sorts by links, its date range works without JavaScript, and bad arguments get a 400."""

import lxml.html
import pytest
from insights_helpers import send_scenario

from webapp.articles.library import get_library


@pytest.fixture
def app(marketers_app):
    """The marketers' app of this module (empty tables, one account)."""
    return marketers_app


@pytest.fixture
def slugs(app) -> tuple[str, str]:
    """Two real articles, the first with at least two questions."""
    with app.app_context():
        articles = get_library().articles
        first = next(a for a in articles if len(a.faq) >= 2)
        return first.slug, next(a.slug for a in articles if a.slug != first.slug)


def table_rows(html: str) -> list[dict[str, str]]:
    """The article table's rows: slug and each data-column cell's text, in page order."""
    tree = lxml.html.fromstring(html)
    rows = []
    for row in tree.xpath("//tr[@data-article]"):
        cells = {cell.get("data-column"): cell.text_content() for cell in row.xpath("td[@data-column]")}
        rows.append({"slug": row.get("data-article"), **cells})
    return rows


def test_without_signing_in_the_articles_view_redirects_to_the_login(app, slugs):
    client = app.test_client()
    for path in ("/admin/articles", f"/admin/articles/{slugs[0]}"):
        response = client.get(path)
        assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_the_figures_match_the_events_sent(app, marketer, slugs):
    first, second = slugs
    send_scenario(app.test_client(), first, second)
    response = marketer.get("/admin/articles")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    rows = table_rows(html)
    assert rows[0] == {
        "slug": first,
        "views": "4",
        "read_rate": "75%",
        "cta_rate": "50%",
        "signups": "2",
        "conversion": "50",
    }
    assert rows[1] == {
        "slug": second,
        "views": "2",
        "read_rate": "50%",
        "cta_rate": "0%",
        "signups": "0",
        "conversion": "0",
    }
    assert all(row["views"] == "0" and row["read_rate"] == "–" for row in rows[2:])
    tree = lxml.html.fromstring(html)
    assert tree.xpath('//*[@data-figure="views"]')[0].text_content() == "6"
    assert tree.xpath('//*[@data-figure="signups"]')[0].text_content() == "2"
    site_chart = tree.xpath('//figure[@class="admin-chart"]//rect[@class="chart-bar"]/title')
    assert [bar.text_content().rsplit(": ", 1)[1] for bar in site_chart] == ["6"]  # today, all articles
    sparkline = tree.xpath(f'//tr[@data-article="{first}"]//svg[@class="sparkline"]/rect')
    assert len(sparkline) == 1  # today's bar, the same chart layout as the dashboard's
    sources = {
        tuple(cell.text_content() for cell in row)
        for row in tree.xpath('//table[@aria-labelledby="sources"]//tr')
    }
    assert ("Linked from", "news.example", "1") in sources


def test_an_article_page_shows_its_questions_and_signups_after_opening_them(app, marketer, slugs):
    first, second = slugs
    send_scenario(app.test_client(), first, second)
    html = marketer.get(f"/admin/articles/{first}").get_data(as_text=True)
    tree = lxml.html.fromstring(html)
    questions = [
        (row.get("data-question"), [cell.text_content() for cell in row.xpath("td")])
        for row in tree.xpath("//tr[@data-question]")
    ]
    assert questions[:2] == [
        ("1", ["2", "50", "1"]),
        ("2", ["1", "25", "1"]),
    ]  # opens, per 100 views, signups
    opened = [cell.text_content() for cell in tree.xpath('//tr[@data-share="opened"]/td')]
    other = [cell.text_content() for cell in tree.xpath('//tr[@data-share="other"]/td')]
    assert opened == ["2", "1", "50"] and other == ["2", "1", "50"]
    with app.app_context():
        question = get_library().by_slug[first].faq[0].question
    assert question in html
    assert tree.xpath('//figure[@class="admin-chart"]//rect[@class="chart-bar"]')  # views per day


def test_columns_sort_by_links_both_ways(app, marketer, slugs):
    first, second = slugs
    send_scenario(app.test_client(), first, second)
    html = marketer.get("/admin/articles").get_data(as_text=True)
    link = lxml.html.fromstring(html).xpath('//th/a[contains(@href, "sort=views")]')[0].get("href")
    ascending = table_rows(marketer.get(link).get_data(as_text=True))
    assert [row["slug"] for row in ascending][-2:] == [second, first]
    by_title = table_rows(marketer.get("/admin/articles?sort=title&order=asc").get_data(as_text=True))
    with app.app_context():
        titles = sorted(get_library().articles, key=lambda a: a.title.casefold())
    assert [row["slug"] for row in by_title] == [a.slug for a in titles]


def test_the_date_range_form_works_without_javascript(app, marketer, slugs):
    send_scenario(app.test_client(), *slugs)
    html = marketer.get("/admin/articles").get_data(as_text=True)
    form = lxml.html.fromstring(html).xpath('//form[@class="admin-range"]')[0]
    assert form.get("method") == "get" and form.xpath('.//input[@name="start"][@type="date"]')
    past = marketer.get("/admin/articles?start=2025-01-01&end=2025-01-31").get_data(as_text=True)
    assert table_rows(past)[0]["views"] == "0"
    assert 'value="2025-01-01"' in past and 'value="2025-01-31"' in past


@pytest.mark.parametrize(
    "query",
    ["start=2026-13-01", "start=2026-02-01&end=2026-01-01", "start=2000-01-01&end=2026-01-01", "sort=secret",
     "order=up", "page=x"],
)  # fmt: skip
def test_bad_arguments_get_a_400_with_the_reason(marketer, query):
    response = marketer.get(f"/admin/articles?{query}")
    assert response.status_code == 400
    assert lxml.html.fromstring(response.get_data(as_text=True)).xpath("//*[@data-problem]")


def test_an_unknown_article_or_page_is_a_404(marketer):
    assert marketer.get("/admin/articles/no-such-article").status_code == 404
    assert marketer.get("/admin/articles?page=99").status_code == 404


def test_unknown_query_arguments_are_dropped_from_the_page_links(marketer, slugs):
    query = "slug=x&_external=1&_scheme=javascript&_anchor=top&start=2026-01-01&end=2026-01-31"
    response = marketer.get(f"/admin/articles/{slugs[0]}?{query}")
    assert response.status_code == 200
    links = [href for href in lxml.html.fromstring(response.get_data(as_text=True)).xpath("//a/@href")]
    presets = [href for href in links if "start=" in href]
    assert presets and all(href.startswith("/admin/articles") for href in presets)  # relative, our own
    assert not [href for href in links if "slug=x" in href or "javascript" in href or "#top" in href]

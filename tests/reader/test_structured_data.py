"""Structured data and head tags, read from the real pages the way crawlers and chat apps read them."""

import datetime as dt
import json
import re

import extruct
import lxml.html
import pytest

from webapp.reader.structured_data import to_json_ld

SITE = "https://healthy.example"  # the site_app fixture's address (tests/conftest.py)

CLASS = "//*[contains(concat(' ', normalize-space(@class), ' '), ' {} ')]"


@pytest.fixture(scope="module")
def articles(site_app):
    """Every article, newest first."""
    return site_app.extensions["library"].articles


def graph(html: str) -> dict[str, dict]:
    """The page's JSON-LD nodes, extracted with extruct, by @type."""
    nodes: dict[str, dict] = {}
    for item in extruct.extract(html, base_url=SITE + "/", syntaxes=["json-ld"])["json-ld"]:
        for node in item.get("@graph", [item]):
            assert node["@type"] not in nodes, f"two {node['@type']} nodes"
            nodes[node["@type"]] = node
    return nodes


def text(element) -> str:
    """An element's visible text with its whitespace collapsed."""
    return " ".join(element.text_content().split())


def is_served_png(site_client, url: str) -> bool:
    """Whether an absolute URL on the site answers 200 with a PNG."""
    assert url.startswith(SITE + "/"), url
    response = site_client.get(url.removeprefix(SITE))
    return response.status_code == 200 and response.data.startswith(b"\x89PNG")


def test_article_node_has_required_and_recommended_properties(site_client, articles):
    for article in articles:
        nodes = graph(site_client.get(f"/articles/{article.slug}").get_data(as_text=True))
        node = nodes["Article"]
        assert node["headline"] == article.title and len(node["headline"]) <= 110
        assert node["description"] == article.description
        assert node["datePublished"] == article.published.isoformat()
        assert node["dateModified"] == article.updated.isoformat()
        assert dt.date.fromisoformat(node["dateModified"]) >= dt.date.fromisoformat(node["datePublished"])
        assert [a["name"] for a in node["author"]] == [article.author.name]
        assert all(a["@type"] in ("Person", "Organization") for a in node["author"])
        assert node["mainEntityOfPage"]["@id"] == f"{SITE}/articles/{article.slug}"
        (image,) = node["image"]
        assert (image["width"], image["height"]) == (1200, 630)
        assert is_served_png(site_client, image["url"])
        publisher = nodes["Organization"]
        assert node["publisher"]["@id"] == publisher["@id"]
        assert publisher["name"] == "Healthy Tips" and publisher["url"] == SITE + "/"
        assert is_served_png(site_client, publisher["logo"]["url"])


def test_medical_web_page_says_who_reviewed_it_and_when_as_the_byline_does(site_client, articles):
    for article in articles:
        html = site_client.get(f"/articles/{article.slug}").get_data(as_text=True)
        page = graph(html)["MedicalWebPage"]
        assert page["url"] == page["@id"] == f"{SITE}/articles/{article.slug}"
        assert page["reviewedBy"]["name"] == article.reviewer.name
        assert page["reviewedBy"]["@type"] in ("Person", "Organization")
        assert page["lastReviewed"] == article.reviewed.isoformat()
        byline = lxml.html.fromstring(html).xpath(CLASS.format("byline"))[0]
        shown = byline.xpath(".//dt[.='Last reviewed']/following-sibling::dd/time/@datetime")
        assert shown == [page["lastReviewed"]]
        assert article.reviewer.name in text(byline)
        assert page["breadcrumb"]["@id"] == graph(html)["BreadcrumbList"]["@id"]


def test_faq_page_matches_the_accordion_question_by_question(site_client, articles):
    for article in articles:
        html = site_client.get(f"/articles/{article.slug}").get_data(as_text=True)
        questions = graph(html)["FAQPage"]["mainEntity"]
        shown = [text(b) for b in lxml.html.fromstring(html).xpath(CLASS.format("faq-toggle") + "//button")]
        assert [q["name"] for q in questions] == shown and len(shown) == len(article.faq)
        for number, question in enumerate(questions, start=1):
            fragment = site_client.get(
                f"/articles/{article.slug}/faq/{number}", headers={"HX-Request": "true"}
            )
            answer = lxml.html.fromstring(fragment.get_data(as_text=True))
            assert question["@type"] == "Question" and question["acceptedAnswer"]["@type"] == "Answer"
            assert " ".join(question["acceptedAnswer"]["text"].split()) == text(answer)


def test_breadcrumbs_match_the_trail_shown_above_the_title(site_client, articles):
    for article in articles:
        html = site_client.get(f"/articles/{article.slug}").get_data(as_text=True)
        items = graph(html)["BreadcrumbList"]["itemListElement"]
        assert [i["position"] for i in items] == list(range(1, len(items) + 1))
        links = lxml.html.fromstring(html).xpath(CLASS.format("breadcrumb") + "//a")
        assert [i["name"] for i in items[:-1]] == [text(a) for a in links]
        assert [i["item"] for i in items[:-1]] == [SITE + a.get("href") for a in links]
        assert (items[-1]["name"], items[-1]["item"]) == (article.title, f"{SITE}/articles/{article.slug}")
        for item in items:
            assert site_client.get(item["item"].removeprefix(SITE)).status_code == 200


def test_home_page_names_the_site_and_its_publisher(site_client):
    nodes = graph(site_client.get("/").get_data(as_text=True))
    assert nodes["WebSite"]["name"] == "Healthy Tips" and nodes["WebSite"]["url"] == SITE + "/"
    assert nodes["WebSite"]["publisher"]["@id"] == nodes["Organization"]["@id"]
    assert is_served_png(site_client, nodes["Organization"]["logo"]["url"])


def test_json_ld_cannot_close_its_script_element():
    data = {"headline": "Fish & chips </script><script>alert(1)</script> <!-- >"}
    encoded = to_json_ld(data)
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert json.loads(encoded) == data


def test_every_article_page_has_one_json_ld_script_that_parses(site_client, articles):
    for article in articles:
        html = site_client.get(f"/articles/{article.slug}").get_data(as_text=True)
        scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        assert len(scripts) == 1
        assert json.loads(scripts[0])["@context"] == "https://schema.org"


def head_of(site_client, path: str, status: int = 200) -> dict[str, str]:
    """The SEO-relevant head tags of a page, by name."""
    response = site_client.get(path)
    assert response.status_code == status, path
    doc = lxml.html.fromstring(response.get_data(as_text=True))
    found = {"lang": doc.get("lang"), "title": text(doc.find(".//title"))}
    found["canonical"] = doc.xpath("//link[@rel='canonical']/@href")
    for meta in doc.xpath("//head/meta"):
        key = meta.get("property") or meta.get("name")
        if key and key not in found:
            found[key] = meta.get("content")
    found["feed"] = doc.xpath("//link[@rel='alternate'][@type='application/atom+xml']/@href")
    return found


def page_paths(site_app, articles) -> dict[str, str]:
    """One path per page, for every page type: home, topics, articles, 404, plus argument-free pages."""
    paths = {"home": "/", "404": "/no-such-page"}
    paths |= {f"tag {t}": f"/tags/{t}" for t in site_app.extensions["library"].by_tag}
    paths |= {f"article {a.slug}": f"/articles/{a.slug}" for a in articles}
    for rule in site_app.url_map.iter_rules():
        # Data files are not pages; /admin is behind a login and kept out of search by robots.txt.
        skip = rule.rule.endswith((".xml", ".txt", ".json", ".webmanifest", ".js")) or rule.rule.startswith(
            "/admin"
        )
        if "GET" in rule.methods and not rule.arguments and not skip and rule.rule not in paths.values():
            paths[f"route {rule.rule}"] = rule.rule
    return paths


def test_every_page_has_absolute_canonical_and_og_url_on_the_site(site_app, site_client, articles):
    checked = 0
    query = (
        f"?utm_source=chat&x=1&article={articles[0].slug}"  # pages that mention an article stay themselves
    )
    for name, path in page_paths(site_app, articles).items():
        response = site_client.get(path + query)
        if not response.mimetype == "text/html" or response.status_code not in (200, 404):
            continue
        head = head_of(site_client, path + query, response.status_code)
        assert head["canonical"] == [SITE + path], name
        assert head["og:url"] == SITE + path, name
        assert head["og:image"].startswith(SITE + "/static/social/") and is_served_png(
            site_client, head["og:image"]
        )
        assert head["og:title"] and head["og:description"] and head["og:type"] in ("website", "article")
        assert head["twitter:card"] == "summary_large_image"
        assert head["feed"] == [SITE + "/feed.xml"], name
        assert head["lang"] == "en-US" and head["theme-color"], name
        checked += 1
    assert checked >= 3 + len(articles)


def test_faq_pages_point_their_canonical_at_the_article(site_client, articles):
    article = articles[0]
    head = head_of(site_client, f"/articles/{article.slug}/faq/1")
    assert head["canonical"] == [f"{SITE}/articles/{article.slug}"] and head["og:type"] == "article"
    assert head["og:image"] == f"{SITE}/static/social/{article.slug}.png"


def test_every_page_has_its_own_title_and_description(site_app, site_client, articles):
    titles: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    for name, path in page_paths(site_app, articles).items():
        response = site_client.get(path)
        if response.mimetype != "text/html" or response.status_code not in (200, 404):
            continue
        head = head_of(site_client, path, response.status_code)
        assert head["title"] and head["description"], name
        assert head["title"] not in titles, f"{name} has the title of {titles.get(head['title'])}"
        assert head["description"] not in descriptions, (
            f"{name}: same description as {descriptions.get(head['description'])}"
        )
        titles[head["title"]] = descriptions[head["description"]] = name


def test_links_come_from_the_configured_site_not_the_request_host(site_client, articles):
    path = f"/articles/{articles[-1].slug}"
    html = site_client.get(path, headers={"Host": "attacker.example"}).get_data(as_text=True)
    assert "attacker.example" not in html
    assert f'<link rel="canonical" href="{SITE}{path}">' in html

"""The Atom feed, the sitemap and robots.txt, parsed as feed readers and crawlers parse them."""

import datetime as dt
import re
import urllib.robotparser

import feedparser
import lxml.etree
import lxml.html
import pytest

from webapp.reader import seo
from webapp.reader.seo import FEED_ENTRIES
from webapp.web.page_cache import cache

SITE = "https://healthy.example"  # the site_app fixture's address (tests/conftest.py)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# The rules of sitemaps.org's sitemap.xsd (0.9) for what we emit: urlset of url, each with a loc
# (an absolute URI of 12 to 2048 characters) and optional lastmod (a W3C date or date-time).
SITEMAP_XSD = f"""<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="{SITEMAP_NS}"
    xmlns="{SITEMAP_NS}" elementFormDefault="qualified">
  <xsd:element name="urlset"><xsd:complexType><xsd:sequence>
    <xsd:element ref="url" maxOccurs="50000"/>
  </xsd:sequence></xsd:complexType></xsd:element>
  <xsd:element name="url"><xsd:complexType><xsd:sequence>
    <xsd:element name="loc" type="tLoc"/>
    <xsd:element name="lastmod" type="tLastmod" minOccurs="0"/>
    <xsd:element name="changefreq" type="tChangeFreq" minOccurs="0"/>
    <xsd:element name="priority" type="tPriority" minOccurs="0"/>
  </xsd:sequence></xsd:complexType></xsd:element>
  <xsd:simpleType name="tLoc"><xsd:restriction base="xsd:anyURI">
    <xsd:minLength value="12"/><xsd:maxLength value="2048"/>
  </xsd:restriction></xsd:simpleType>
  <xsd:simpleType name="tLastmod"><xsd:union memberTypes="xsd:date xsd:dateTime"/></xsd:simpleType>
  <xsd:simpleType name="tChangeFreq"><xsd:restriction base="xsd:string">
    <xsd:enumeration value="always"/><xsd:enumeration value="hourly"/><xsd:enumeration value="daily"/>
    <xsd:enumeration value="weekly"/><xsd:enumeration value="monthly"/><xsd:enumeration value="yearly"/>
    <xsd:enumeration value="never"/>
  </xsd:restriction></xsd:simpleType>
  <xsd:simpleType name="tPriority"><xsd:restriction base="xsd:decimal">
    <xsd:minInclusive value="0.0"/><xsd:maxInclusive value="1.0"/>
  </xsd:restriction></xsd:simpleType>
</xsd:schema>"""


@pytest.fixture(scope="module")
def library(site_app):
    """The loaded articles."""
    return site_app.extensions["library"]


def assert_public_and_cacheable(response, mimetype: str) -> None:
    """Served with its content type, publicly cacheable, validatable and cookie-free."""
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert "public" in response.headers["Cache-Control"]
    assert re.search(r"max-age=\d+", response.headers["Cache-Control"])
    assert response.headers.get("ETag") and "Set-Cookie" not in response.headers


def test_feed_parses_cleanly_with_every_article(site_client, library):
    response = site_client.get("/feed.xml")
    assert_public_and_cacheable(response, "application/atom+xml")
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Healthy Tips"
    assert feed.feed.link == SITE + "/"
    assert [link.href for link in feed.feed.links if link.rel == "self"] == [SITE + "/feed.xml"]
    newest = library.articles[:FEED_ENTRIES]  # every article while there are fewer than FEED_ENTRIES
    latest_update = max(a.updated for a in newest)
    assert feed.feed.updated_parsed[:3] == latest_update.timetuple()[:3]
    assert [e.link for e in feed.entries] == [f"{SITE}/articles/{a.slug}" for a in newest]
    for entry, article in zip(feed.entries, newest, strict=True):
        assert entry.id == entry.link and entry.title == article.title
        assert entry.published_parsed[:3] == article.published.timetuple()[:3]
        assert entry.updated_parsed[:3] == article.updated.timetuple()[:3]
        assert entry.author == article.author.name
        assert [t.term for t in entry.tags] == list(article.tags)


def test_feed_holds_only_the_newest_articles_of_a_large_library(site_app, site_client, library, monkeypatch):
    monkeypatch.setattr(seo, "FEED_ENTRIES", 2)
    with site_app.app_context():
        cache.clear()
    try:
        feed = feedparser.parse(site_client.get("/feed.xml").data)
    finally:
        with site_app.app_context():
            cache.clear()
    assert [e.link for e in feed.entries] == [f"{SITE}/articles/{a.slug}" for a in library.articles[:2]]


def test_feed_summaries_are_full_and_their_links_absolute(site_client, library):
    feed = feedparser.parse(site_client.get("/feed.xml").data)
    for entry, article in zip(feed.entries, library.articles[:FEED_ENTRIES], strict=True):
        summary = lxml.html.fromstring(entry.summary)
        words = " ".join(summary.text_content().split())
        assert article.description in words
        assert len(summary.xpath("//li")) == len(article.key_insights)
        hrefs = summary.xpath("//a/@href")
        assert hrefs and all(h.startswith(f"{SITE}/articles/{article.slug}") for h in hrefs), hrefs


def test_every_page_links_the_feed(site_client, library):
    article = library.articles[0]
    for path in ("/", f"/tags/{article.tags[0]}", f"/articles/{article.slug}", "/no-such-page"):
        doc = lxml.html.fromstring(site_client.get(path).get_data(as_text=True))
        assert doc.xpath("//head/link[@rel='alternate'][@type='application/atom+xml']/@href") == [
            SITE + "/feed.xml"
        ], path


def sitemap_urls(site_client) -> dict[str, str]:
    """The sitemap's loc to lastmod, after validating it against the sitemap schema's rules."""
    response = site_client.get("/sitemap.xml")
    assert_public_and_cacheable(response, "application/xml")
    root = lxml.etree.fromstring(response.data)
    assert root.tag == f"{{{SITEMAP_NS}}}urlset"
    schema = lxml.etree.XMLSchema(lxml.etree.fromstring(SITEMAP_XSD.encode()))
    assert schema.validate(root), schema.error_log
    ns = {"s": SITEMAP_NS}
    urls = {u.findtext("s:loc", namespaces=ns): u.findtext("s:lastmod", namespaces=ns) for u in root}
    assert len(urls) == len(root), "a URL is listed twice"
    return urls


def test_sitemap_lists_home_every_topic_and_every_article_with_lastmod(site_client, library):
    urls = sitemap_urls(site_client)
    expected = {SITE + "/"}
    expected |= {f"{SITE}/tags/{tag}" for tag in library.by_tag}
    expected |= {f"{SITE}/articles/{a.slug}" for a in library.articles}
    assert set(urls) == expected
    for article in library.articles:
        assert urls[f"{SITE}/articles/{article.slug}"] == article.updated.isoformat()
    assert urls[SITE + "/"] == max(a.updated for a in library.articles).isoformat()
    for loc, lastmod in urls.items():
        assert re.fullmatch(r"https?://[^/\s]+/\S*", loc) and loc.startswith(SITE + "/")
        assert dt.date.fromisoformat(lastmod) <= dt.date.today()
        assert site_client.get(loc.removeprefix(SITE)).status_code == 200, loc


def test_robots_names_the_sitemap_and_keeps_crawlers_out_of_admin(site_client, library):
    response = site_client.get("/robots.txt")
    assert_public_and_cacheable(response, "text/plain")
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(response.get_data(as_text=True).splitlines())
    assert robots.site_maps() == [SITE + "/sitemap.xml"]
    for path in ("/admin", "/admin/", "/admin/signups?page=2"):
        assert not robots.can_fetch("Googlebot", SITE + path), path
    for path in ("/", "/feed.xml", f"/articles/{library.articles[0].slug}", "/static/social/default.png"):
        assert robots.can_fetch("Googlebot", SITE + path), path


def test_feeds_are_compressed_and_revalidated_like_pages(site_client):
    for path in ("/feed.xml", "/sitemap.xml"):
        first = site_client.get(path, headers={"Accept-Encoding": "gzip"})
        assert first.headers["Content-Encoding"] == "gzip"
        again = site_client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304

"""Schema.org JSON-LD for article pages, built from an Article and the site URL (no Flask)."""

import json
import re
from typing import Any

from webapp.articles import markdown as rendering
from webapp.articles.model import Article, Person, tag_label

CARD_SIZE = (1200, 630)
LOGO_SIZE = 512
DEFAULT_CARD = "/static/social/default.png"
LOGO = "/static/social/logo.png"
ORGANIZATION_WORDS = re.compile(r"\b(team|desk|board|staff|editors|newsroom)\b", re.IGNORECASE)
_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}

Data = dict[str, Any]


def absolute(site_url: str, path: str) -> str:
    """An absolute URL on the site for a path that starts with a slash."""
    return site_url.rstrip("/") + path


def article_path(article: Article) -> str:
    """The path of an article page."""
    return f"/articles/{article.slug}"


def card_path(article: Article) -> str:
    """The path of an article's 1200x630 social card."""
    return f"/static/social/{article.slug}.png"


def tag_path(tag: str) -> str:
    """The path of a topic page."""
    return f"/tags/{tag}"


def organization(site_url: str, site_name: str) -> Data:
    """The publisher: our organization, with its logo."""
    return {
        "@type": "Organization",
        "@id": absolute(site_url, "/#organization"),
        "name": site_name,
        "url": absolute(site_url, "/"),
        "logo": {
            "@type": "ImageObject",
            "url": absolute(site_url, LOGO),
            "width": LOGO_SIZE,
            "height": LOGO_SIZE,
        },
    }


def contributor(person: Person, site_url: str, site_name: str) -> Data:
    """An author or reviewer: an Organization for an in-house team or desk, else a Person."""
    in_house = person.name.startswith(site_name) or ORGANIZATION_WORDS.search(person.name)
    data: Data = {"@type": "Organization" if in_house else "Person", "name": person.name}
    if in_house:
        data["url"] = absolute(site_url, "/")
        data["parentOrganization"] = {"@id": absolute(site_url, "/#organization")}
    if person.credentials:
        data["description" if in_house else "jobTitle"] = person.credentials
    return data


def image(article: Article, site_url: str) -> Data:
    """The article's social card as an ImageObject."""
    width, height = CARD_SIZE
    return {
        "@type": "ImageObject",
        "url": absolute(site_url, card_path(article)),
        "width": width,
        "height": height,
    }


def article_data(article: Article, site_url: str, site_name: str) -> Data:
    """The Article: headline, description, image, dates, author and publisher."""
    url = absolute(site_url, article_path(article))
    return {
        "@type": "Article",
        "@id": url + "#article",
        "headline": article.title,
        "description": article.description,
        "image": [image(article, site_url)],
        "datePublished": article.published.isoformat(),
        "dateModified": article.last_changed.isoformat(),  # the newest entry of the page's history
        "author": [contributor(article.author, site_url, site_name)],
        "publisher": {"@id": absolute(site_url, "/#organization")},
        "mainEntityOfPage": {"@id": url},
        "keywords": [tag_label(tag) for tag in article.tags],
        "wordCount": article.word_count,
        "inLanguage": "en-US",
    }


def medical_web_page(article: Article, site_url: str, site_name: str) -> Data:
    """The page itself, with who reviewed it and when (the Article node carries the rest)."""
    url = absolute(site_url, article_path(article))
    return {
        "@type": "MedicalWebPage",
        "@id": url,
        "url": url,
        "name": article.title,
        "lastReviewed": article.reviewed.isoformat(),
        "reviewedBy": contributor(article.reviewer, site_url, site_name),
        "breadcrumb": {"@id": url + "#breadcrumb"},
        "mainEntity": {"@id": url + "#article"},
    }


def answer_text(article: Article, answer: str) -> str:
    """An FAQ answer as plain text, from the very HTML the accordion shows."""
    return rendering.render_block(answer, article.citation_numbers).striptags()


def faq_page(article: Article, site_url: str) -> Data:
    """The FAQ as questions and accepted answers (the accordion's own data)."""
    return {
        "@type": "FAQPage",
        "@id": absolute(site_url, article_path(article)) + "#faq",
        "isPartOf": {"@id": absolute(site_url, article_path(article))},
        "mainEntity": [
            {
                "@type": "Question",
                "name": item.question,
                "acceptedAnswer": {"@type": "Answer", "text": answer_text(article, item.answer)},
            }
            for item in article.faq
        ],
    }


def breadcrumbs(article: Article, site_url: str) -> Data:
    """Home, the article's first topic, then the article: the trail shown above its title."""
    trail = [("Articles", "/")]
    if article.tags:
        trail.append((tag_label(article.tags[0]), tag_path(article.tags[0])))
    trail.append((article.title, article_path(article)))
    return {
        "@type": "BreadcrumbList",
        "@id": absolute(site_url, article_path(article)) + "#breadcrumb",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": absolute(site_url, path)}
            for n, (name, path) in enumerate(trail, start=1)
        ],
    }


def article_graph(article: Article, site_url: str, site_name: str) -> Data:
    """Everything an article page says about itself, as one JSON-LD graph."""
    nodes = [
        medical_web_page(article, site_url, site_name),
        article_data(article, site_url, site_name),
        breadcrumbs(article, site_url),
        organization(site_url, site_name),
    ]
    if article.faq:
        nodes.append(faq_page(article, site_url))
    return {"@context": "https://schema.org", "@graph": nodes}


def site_graph(site_url: str, site_name: str) -> Data:
    """What the home page says about the site: its name and its publisher's logo."""
    website = {
        "@type": "WebSite",
        "@id": absolute(site_url, "/#website"),
        "url": absolute(site_url, "/"),
        "name": site_name,
        "inLanguage": "en-US",
        "publisher": {"@id": absolute(site_url, "/#organization")},
    }
    return {"@context": "https://schema.org", "@graph": [website, organization(site_url, site_name)]}


def to_json_ld(data: Data) -> str:
    """Compact JSON that cannot end its <script> element: `<`, `>` and `&` become escapes."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return re.sub(r"[<>&]", lambda match: _UNSAFE[match.group()], text)

"""The reader's pages: home, topics, articles and FAQ answers, SEO files and the installable app."""

from flask import Flask

from webapp.reader import pages, pwa, seo


def init_app(app: Flask) -> None:
    """Register the pages, the sitemap, feed and robots, and the manifest, service worker and offline page."""
    pages.init_app(app)
    pwa.init_app(app)
    seo.init_app(app)

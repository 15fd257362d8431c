"""What a search results page shows, read from its HTML: for the search tests."""

import re


def results(client, q: str, number: int = 1) -> list[str]:
    """The slugs of the results for a query (on one page of them), in order."""
    html = client.get("/search", query_string={"q": q, "page": number}).get_data(as_text=True)
    return re.findall(r'<li class="search-hit">\s*<h2><a href="/articles/([a-z0-9-]+)', html)

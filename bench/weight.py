"""First-load transfer of an article: compressed bytes of its HTML, CSS and JS, by file, as served."""

import re

import servers

LINKS = re.compile(
    r'<(?:link[^>]+rel="(?:stylesheet|modulepreload|preload)"[^>]*href|script[^>]+src)="([^"]+)"'
)


def report(base: str, path: str) -> None:
    """Print the bytes on the wire for the page and every stylesheet and script it links."""
    _, _, html = servers.get(base + path, {"Accept-Encoding": "identity"})
    files = [path, *dict.fromkeys(LINKS.findall(html.decode()))]
    totals = {}
    for encoding in ("br", "gzip"):
        print(f"  {encoding}:")
        sums = {"html": 0, "css": 0, "js": 0}
        for url in files:
            _, headers, body = servers.get(base + url, {"Accept-Encoding": encoding})
            kind = "css" if url.endswith(".css") else "js" if url.endswith(".js") else "html"
            sums[kind] += len(body)
            served = headers.get("Content-Encoding", "identity")
            print(f"    {len(body):>7,} B  {kind:<4} {served:<8} {url}")
        totals[encoding] = sums
        html_css = sums["html"] + sums["css"]
        print(f"    HTML {sums['html']:,} B (budget 12,288); HTML+CSS {html_css:,} B (budget 16,384); "
              f"first load {html_css + sums['js']:,} B (budget 32,768)")  # fmt: skip

"""Score responses the way the MDN HTTP Observatory does (its public rules and score table).

Pure code: give it the HTTPS response's headers and body, the route a visit to the plain-HTTP address
took, and the headers of a request sent with a foreign Origin. Start at 100; bonuses count only when
the score without them is 90 or more; 100 or more is an A+.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

BROAD = {"ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*"}
UNSAFE_INLINE = {"'unsafe-inline'", "data:"}
GOOD_REFERRERS = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
BAD_REFERRERS = {"origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade"}
SIX_MONTHS = 15_552_000
GRADES = ((100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (65, "B-"), (60, "C+"),
          (50, "C"), (45, "C-"), (40, "D+"), (30, "D"), (25, "D-"), (0, "F"))  # fmt: skip
MODIFIERS = {  # result -> modifier, from the Observatory's score table
    "csp-implemented-with-no-unsafe-default-src-none": 10, "csp-implemented-with-no-unsafe": 5,
    "csp-implemented-with-unsafe-inline-in-style-src-only": 0,
    "csp-implemented-with-insecure-scheme-in-passive-content-only": -10,
    "csp-implemented-with-unsafe-eval": -10, "csp-implemented-with-unsafe-inline": -20,
    "csp-implemented-with-insecure-scheme": -20, "csp-header-invalid": -25, "csp-not-implemented": -25,
    "cookies-secure-with-httponly-sessions-and-samesite": 5, "cookies-secure-with-httponly-sessions": 0,
    "cookies-not-found": 0, "cookies-without-secure-flag-but-protected-by-hsts": -5,
    "cookies-session-without-secure-flag-but-protected-by-hsts": -10, "cookies-without-secure-flag": -20,
    "cookies-samesite-flag-invalid": -20, "cookies-anticsrf-without-samesite-flag": -20,
    "cookies-session-without-httponly-flag": -30, "cookies-session-without-secure-flag": -40,
    "cors-not-implemented": 0, "cors-public-access": 0, "cors-restricted-access": 0,
    "cors-universal-access": -50,
    "redirection-to-https": 0, "redirection-not-needed-no-http": 0, "redirection-off-host-from-http": -5,
    "redirection-not-to-https-on-initial-redirection": -10, "redirection-not-to-https": -20,
    "redirection-missing": -20,
    "referrer-policy-private": 5, "referrer-policy-not-implemented": 0, "referrer-policy-unsafe": -5,
    "referrer-policy-header-invalid": -5,
    "hsts-implemented-max-age-at-least-six-months": 0, "hsts-implemented-max-age-less-than-six-months": -10,
    "hsts-not-implemented": -20, "hsts-header-invalid": -20, "hsts-not-implemented-no-https": -20,
    "sri-implemented-and-all-scripts-loaded-securely": 5, "sri-implemented-and-external-scripts-loaded": 5,
    "sri-not-implemented-response-not-html": 0, "sri-not-implemented-but-no-scripts-loaded": 0,
    "sri-not-implemented-but-all-scripts-from-same-origin": 0,
    "sri-not-implemented-but-external-scripts-loaded-securely": -5,
    "sri-implemented-but-external-scripts-not-loaded-securely": -20,
    "sri-not-implemented-and-external-scripts-not-loaded-securely": -50,
    "xcto-nosniff": 0, "xcto-not-implemented": -5, "xcto-header-invalid": -5,
    "xfo-implemented-via-csp": 5, "xfo-sameorigin-or-deny": 0, "xfo-allow-from-origin": 0,
    "xfo-not-implemented": -20, "xfo-header-invalid": -20,
    "corp-same-origin": 10, "corp-same-site": 10, "corp-cross-origin": 0, "corp-not-implemented": 0,
    "corp-header-invalid": -5,
}  # fmt: skip


@dataclass(frozen=True)
class Scan:
    """What the Observatory fetches: the HTTPS response, the HTTP redirect route and a CORS probe."""

    url: str
    headers: list[tuple[str, str]]
    body: str = ""
    http_route: list[str] = field(default_factory=list)
    cors_headers: list[tuple[str, str]] = field(default_factory=list)
    cors_origin: str = "https://http-observatory.security.mozilla.org"

    def all(self, name: str, cors: bool = False) -> list[str]:
        """Every value of one header, in order."""
        return [v for k, v in (self.cors_headers if cors else self.headers) if k.lower() == name.lower()]

    def first(self, name: str, cors: bool = False) -> str | None:
        """The first value of one header, stripped and lower-cased, or None."""
        values = self.all(name, cors)
        return values[0].strip().lower() if values else None


def parse_csp(policies: list[str]) -> dict[str, set[str]]:
    """Directive -> sources; raises ValueError on a duplicate directive or a too-short policy."""
    csp: dict[str, set[str]] = {}
    for policy in (p.replace("\r", "").replace("\n", "").strip() for p in policies):
        if len(policy) < len("img-src") - 1:
            raise ValueError(f"invalid policy: {policy!r}")
        seen: set[str] = set()
        for directive, *sources in (entry.split() for entry in policy.split(";") if entry.strip()):
            directive = directive.lower()
            if directive in seen and directive not in {"report-uri", "report-to"}:
                raise ValueError(f"duplicate directive {directive}")
            seen.add(directive)
            values = {s.lower() for s in sources} or ({"'none'"} if directive.endswith("-src") else set())
            csp.setdefault(directive, values)
    return csp


def csp_test(scan: Scan, csp: dict[str, set[str]] | None) -> str:
    """Content-Security-Policy (None: the header is missing; {}: it cannot be parsed)."""
    if csp is None:
        return "csp-not-implemented"
    if not csp:
        return "csp-header-invalid"
    default = csp.get("default-src")
    script, style = csp.get("script-src") or default or {"*"}, csp.get("style-src") or default or {"*"}
    passive = [s for d in ("img-src", "media-src") for s in (csp.get(d) or default or set())]
    active = [s for d, v in csp.items() if d not in {"img-src", "media-src", "script-src"} for s in v]
    https = scan.url.startswith("https:")
    if script & (BROAD | UNSAFE_INLINE) or (csp.get("object-src") or default or {"*"}) & BROAD:
        return "csp-implemented-with-unsafe-inline"
    if https and any(s.startswith(("http:", "ftp:")) for s in active + list(script)):
        return "csp-implemented-with-insecure-scheme"
    if "'unsafe-eval'" in script | style:
        return "csp-implemented-with-unsafe-eval"
    if https and any(s.startswith(("http:", "ftp:")) for s in passive):
        return "csp-implemented-with-insecure-scheme-in-passive-content-only"
    if style & (BROAD | UNSAFE_INLINE):
        return "csp-implemented-with-unsafe-inline-in-style-src-only"
    if default == {"'none'"}:
        return "csp-implemented-with-no-unsafe-default-src-none"
    return "csp-implemented-with-no-unsafe"


def hsts_test(scan: Scan) -> str:
    """Strict-Transport-Security on the HTTPS response: a max-age of six months at least."""
    value = scan.first("Strict-Transport-Security")
    if not scan.url.startswith("https:"):
        return "hsts-not-implemented-no-https"
    if value is None:
        return "hsts-not-implemented"
    ages = [p.strip()[8:] for p in value.split(";") if p.strip().startswith("max-age=")]
    if "," in value or not ages or not ages[0].isdigit():
        return "hsts-header-invalid"
    return f"hsts-implemented-max-age-{'at-least' if int(ages[0]) >= SIX_MONTHS else 'less-than'}-six-months"


def cookie_results(raw: str, hsts: bool) -> list[str]:
    """Everything wrong with one Set-Cookie header (session cookies: names with login or sess)."""
    name = raw.split("=", 1)[0].strip().lower()
    attrs = {
        a.split("=", 1)[0].strip().lower(): a.partition("=")[2].strip().lower() for a in raw.split(";")[1:]
    }
    secure, session, samesite = "secure" in attrs, "login" in name or "sess" in name, attrs.get("samesite")
    found = []
    if samesite is not None and samesite not in {"lax", "strict", "none"}:
        found.append("cookies-samesite-flag-invalid")
    if not secure:
        found.append("cookies-without-secure-flag" + ("-but-protected-by-hsts" if hsts else ""))
    if "csrf" in name and samesite is None:
        found.append("cookies-anticsrf-without-samesite-flag")
    if session and not secure:
        found.append("cookies-session-without-secure-flag" + ("-but-protected-by-hsts" if hsts else ""))
    if session and "httponly" not in attrs:
        found.append("cookies-session-without-httponly-flag")
    return found


def cookies_test(scan: Scan, hsts: bool) -> str:
    """The worst cookie finding, else whether every cookie also has SameSite."""
    cookies = scan.all("Set-Cookie")
    found = [r for raw in cookies for r in cookie_results(raw, hsts)]
    if not cookies:
        return "cookies-not-found"
    if found:
        return min(found, key=MODIFIERS.__getitem__)
    samesite = all("samesite" in raw.lower() for raw in cookies)
    return "cookies-secure-with-httponly-sessions" + ("-and-samesite" if samesite else "")


def cors_test(scan: Scan) -> str:
    """Access-Control-Allow-Origin on a request sent with a foreign Origin."""
    acao = scan.first("Access-Control-Allow-Origin", cors=True)
    if not acao:
        return "cors-not-implemented"
    if acao == "*":
        return "cors-public-access"
    credentials = scan.first("Access-Control-Allow-Credentials", cors=True)
    return (
        f"cors-{'universal' if acao == scan.cors_origin and credentials == 'true' else 'restricted'}-access"
    )


def redirection_test(scan: Scan) -> str:
    """Where a visit to the plain-HTTP address went (every URL visited, first to last)."""
    route = [urlsplit(u) for u in scan.http_route]
    if not route:
        return "redirection-not-needed-no-http"
    if len(route) == 1:
        return "redirection-missing"
    if route[-1].scheme != "https":
        return "redirection-not-to-https"
    if route[1].scheme == "http":
        return "redirection-not-to-https-on-initial-redirection"
    return (
        "redirection-off-host-from-http" if route[0].hostname != route[1].hostname else "redirection-to-https"
    )


def referrer_test(scan: Scan) -> str:
    """Referrer-Policy: the last valid value counts."""
    values = [v.strip().lower() for h in scan.all("Referrer-Policy") for v in h.split(",")]
    valid = [v for v in values if v in GOOD_REFERRERS | BAD_REFERRERS]
    if not values:
        return "referrer-policy-not-implemented"
    if not valid:
        return "referrer-policy-header-invalid"
    return "referrer-policy-private" if valid[-1] in GOOD_REFERRERS else "referrer-policy-unsafe"


class _Scripts(HTMLParser):
    """Counts <script> elements and collects (src, integrity) of those with a src."""

    def __init__(self):
        super().__init__()
        self.count, self.sources = 0, []

    def handle_starttag(self, tag, attrs):
        """Note each script element."""
        found = dict(attrs)
        self.count += tag == "script"
        if tag == "script" and found.get("src"):
            self.sources.append((found["src"], found.get("integrity")))


def sri_test(scan: Scan) -> str:
    """Subresource Integrity of the page's scripts: foreign ones need integrity and HTTPS."""
    if (scan.first("Content-Type") or "").split(";")[0] not in {"", "text/html", "application/xhtml+xml"}:
        return "sri-not-implemented-response-not-html"
    parser, site = _Scripts(), (urlsplit(scan.url).hostname or "").split(".")[-2:]
    parser.feed(scan.body)
    results = []
    for src, integrity in parser.sources:
        relative = not src.startswith(("//", "http://", "https://"))
        secure = src.startswith("https://") or (relative and scan.url.startswith("https:"))
        if relative or (src.startswith("http") and (urlsplit(src).hostname or "").split(".")[-2:] == site):
            good = integrity and secure
            results.append("sri-implemented-and-all-scripts-loaded-securely" if good
                           else "sri-not-implemented-but-all-scripts-from-same-origin")  # fmt: skip
        elif integrity:
            results.append("sri-implemented-and-external-scripts-loaded" if secure
                           else "sri-implemented-but-external-scripts-not-loaded-securely")  # fmt: skip
        else:
            results.append("sri-not-implemented-but-external-scripts-loaded-securely" if secure
                           else "sri-not-implemented-and-external-scripts-not-loaded-securely")  # fmt: skip
    if parser.count == 0 or not results:
        return "sri-not-implemented-but-no-scripts-loaded"
    return min(results, key=MODIFIERS.__getitem__)


def simple_tests(scan: Scan, csp: dict | None) -> list[str]:
    """X-Content-Type-Options, X-Frame-Options (or CSP frame-ancestors), Cross-Origin-Resource-Policy."""
    xcto = scan.first("X-Content-Type-Options")
    xfo = scan.first("X-Frame-Options") or ""
    corp = scan.first("Cross-Origin-Resource-Policy")
    if xcto is None:
        results = ["xcto-not-implemented"]
    else:
        results = ["xcto-nosniff" if xcto == "nosniff" else "xcto-header-invalid"]
    if csp and "frame-ancestors" in csp:
        results.append("xfo-implemented-via-csp")
    elif xfo in {"deny", "sameorigin"}:
        results.append("xfo-sameorigin-or-deny")
    elif xfo.startswith("allow-from"):
        results.append("xfo-allow-from-origin")
    else:
        results.append("xfo-header-invalid" if xfo else "xfo-not-implemented")
    if corp is None:
        results.append("corp-not-implemented")
    else:
        known = corp in {"same-origin", "same-site", "cross-origin"}
        results.append(f"corp-{corp}" if known else "corp-header-invalid")
    return results


def score(scan: Scan) -> tuple[int, str, dict[str, int]]:
    """The final score, its grade, and each test's result with its modifier."""
    policies = [p for v in scan.all("Content-Security-Policy") for p in v.split(",")]
    try:
        csp = parse_csp(policies) if policies else None
    except ValueError:
        csp = {}
    hsts = hsts_test(scan)
    results = [
        csp_test(scan, csp),
        cookies_test(scan, MODIFIERS[hsts] == 0),
        cors_test(scan),
        redirection_test(scan),
        referrer_test(scan),
        hsts,
        sri_test(scan),
        *simple_tests(scan, csp),
    ]
    modifiers = {result: MODIFIERS[result] for result in results}
    uncurved = 100 + sum(m for m in modifiers.values() if m < 0)
    total = max(0, 100 + sum(modifiers.values()) if uncurved >= 90 else uncurved)
    return total, next(grade for floor, grade in GRADES if total >= floor), modifiers

"""axe-core (bundled by axe-playwright-python) in Chromium, WCAG 2.2 A and AA, light and dark themes."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, sync_playwright

from audit.lighthouse import CHROMIUM, chromium_args
from audit.pages import AuditPage

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 360, "height": 740}
SCHEMES = ("light", "dark")


def open_first_faq(page: Page) -> None:
    """Open the first FAQ answer, so axe sees the revealed markup too."""
    button = page.locator(".faq-toggle button").first
    if button.count():
        button.click()
        page.locator(".faq-answer[data-loaded='true']").first.wait_for()
    # axe reads colours as painted: let the reveal animation finish, or it sees faded text.
    # (page.evaluate works under our strict CSP; wait_for_function would need 'unsafe-eval'.)
    page.evaluate("() => Promise.all(document.getAnimations().map((a) => a.finished))")


def violations(page: Page) -> list[str]:
    """axe's WCAG violations on the page as it is now, one line per rule and element."""
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    lines = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            lines.append(f"{violation['id']}: {' '.join(map(str, node['target']))}: {node['failureSummary']}")
    return lines


def run_axe(base_url: str, pages: list[AuditPage]) -> dict[tuple[str, str], list[str]]:
    """Violations for every page in each colour scheme, keyed by (page name, scheme)."""
    found = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=chromium_args())
        for scheme in SCHEMES:
            context = browser.new_context(viewport=PHONE, color_scheme=scheme)
            page = context.new_page()
            for item in pages:
                page.goto(base_url + item.path, wait_until="load")
                if item.article:
                    open_first_faq(page)
                found[item.name, scheme] = violations(page)
            context.close()
        browser.close()
    return found

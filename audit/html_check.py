"""The Nu HTML Checker (npm vnu-jar, run with the machine's Java) on each page's HTML."""

import json
import subprocess
import tempfile
from pathlib import Path

from audit.pages import AuditPage
from audit.server import ROOT, fetch

VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
STYLESHEET = ROOT / "static" / "css" / "site.css"


def run_vnu(base_url: str, pages: list[AuditPage]) -> dict[str, list[str]]:
    """HTML errors per page name (and the stylesheet's CSS errors under "site.css")."""
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for item in pages:
            path = Path(folder) / f"{item.name.replace(':', '-')}.html"
            path.write_bytes(fetch(base_url + item.path)[1])
            files[str(path)] = item.name
        css = Path(folder) / "site.css"
        css.write_bytes(STYLESHEET.read_bytes())
        files[str(css)] = "site.css"
        done = subprocess.run(
            [
                "java",
                "-jar",
                str(VNU_JAR),
                "--format",
                "json",
                "--exit-zero-always",
                "--also-check-css",
                *files,
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        try:
            messages = json.loads(done.stderr or done.stdout)["messages"]
        except (json.JSONDecodeError, KeyError):
            raise RuntimeError(f"vnu failed: {(done.stderr or done.stdout)[-600:]}") from None
    found: dict[str, list[str]] = {name: [] for name in files.values()}
    hint = " (write htmx attributes as data-hx-*: htmx reads both, and only these are valid HTML)"
    for message in messages:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        name = files.get(message.get("url", "").removeprefix("file:"), "?")
        text = message.get("message", "")
        found.setdefault(name, []).append(
            f"line {message.get('lastLine', '?')}: {text}"
            + (hint if text.startswith("Attribute “hx-") else "")
        )
    return found

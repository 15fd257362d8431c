"""scripts/generate_articles.py as a module, for tests that need a library of synthetic articles."""

import importlib.util
from pathlib import Path

_SPEC = importlib.util.spec_from_file_location(
    "generate_articles", Path(__file__).resolve().parents[1] / "scripts" / "generate_articles.py"
)
generate_articles = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(generate_articles)

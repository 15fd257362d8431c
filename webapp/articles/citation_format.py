"""The citation report as text for a reviewer, or as JSON-able data for tools."""

from webapp.articles.citations import Report, Sentence


def _sentence_data(sentence: Sentence) -> dict:
    return {"field": sentence.field, "section": sentence.section, "sentence": sentence.text}


def as_data(report: Report) -> dict:
    """A report as JSON-able data, for tools."""
    article = report.article
    return {
        "slug": article.slug,
        "path": article.path,
        "title": article.title,
        "references": [
            {
                "number": n,
                "id": ref.id,
                "title": ref.title,
                "link": ref.link,
                "citations": [_sentence_data(s) for s in citing],
            }
            for n, (ref, citing) in enumerate(report.citations, start=1)
        ],  # fmt: skip
        "findings": [
            {"kind": f.kind, "detail": f.detail, **_sentence_data(f.sentence)} for f in report.findings
        ],
    }


def as_lines(report: Report) -> list[str]:
    """A report as text for a reviewer: each source, the sentences citing it, then the findings."""
    article = report.article
    lines = [f"{article.path}: {article.title}"]
    for n, (ref, citing) in enumerate(report.citations, start=1):
        source = ", ".join(str(part) for part in (ref.publisher, ref.year) if part)
        lines.append(f"  [{n}] {ref.id}: {ref.title}" + (f" ({source})" if source else ""))
        lines.append(f"      {ref.link}")
        lines += [f"      - {s.section} ({s.field}): {s.text}" for s in citing]
    if report.findings:
        lines.append("  To check again:")
    for finding in report.findings:
        sentence = finding.sentence
        lines.append(f"    {finding.kind}: {sentence.section} ({sentence.field}): {finding.detail}")
        lines.append(f"      {sentence.text}")
    return lines

"""Reducing an HTML page to the article text migrex analyses (trafilatura)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html|<head|<body|<article)",
                         re.IGNORECASE | re.DOTALL)


@dataclass
class HtmlArticle:
    text: str
    title: str | None = None
    published: str | None = None


def looks_like_html(text: str) -> bool:
    """Sniff HTML served with a .txt name."""
    return bool(_HTML_START.match(text[:2048]))


def html_to_text(html: str) -> HtmlArticle:
    """The main text of a page (boilerplate removed), with its title and date when known."""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=True,
                               deduplicate=False) or ""
    metadata = trafilatura.extract_metadata(html)
    title = metadata.title if metadata is not None else None
    published = metadata.date if metadata is not None else None
    return HtmlArticle(text=text, title=title, published=published)

"""Lesson Markdown to safe HTML: CommonMark and tables (markdown-it-py), then nh3 keeps
only an allow-list of tags and attributes, so an author's raw HTML or ``javascript:``
link never runs. Relative image references ``images/x.svg`` point at the course's files."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False}).enable("table")
TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "em", "strong", "code", "pre", "blockquote",
        "table", "thead", "tbody", "tr", "th", "td", "img", "hr", "br"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"style"}, "td": {"style"}}


def lesson_html(markdown: str, files_url: str = "") -> str:
    """``files_url`` ends with a slash; ``images/…`` sources are resolved against it."""
    html = _md.render(markdown or "")

    def _rewrite(tag: str, attr: str, value: str) -> str | None:
        if tag == "img" and attr == "src":
            return files_url + value if value.startswith("images/") else None
        return value

    # Headings in a lesson start under the page's own h1.
    for level in range(5, 0, -1):
        html = html.replace(f"<h{level}>", f"<h{level + 1}>").replace(f"</h{level}>", f"</h{level + 1}>")
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     attribute_filter=_rewrite, link_rel="noopener noreferrer")

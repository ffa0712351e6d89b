"""Lesson Markdown to safe HTML: CommonMark and tables (markdown-it-py), then nh3 keeps
only an allow-list of tags and attributes, so an author's raw HTML or ``javascript:``
link never runs. Relative image references ``images/x.svg`` point at the course's files."""

from __future__ import annotations

import re
import struct

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False}).enable("table")
TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "em", "strong", "code", "pre", "blockquote",
        "table", "thead", "tbody", "tr", "th", "td", "img", "hr", "br"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"style"}, "td": {"style"}}


def image_size(name: str, content: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG or SVG (for the img's width/height: no layout shift)."""
    if content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) >= 24:
        return struct.unpack(">II", content[16:24])
    if name.lower().endswith(".svg"):
        head = content[:4096].decode("utf-8", "replace")
        tag = re.search(r"<svg\b[^>]*>", head)
        if not tag:
            return None
        width = re.search(r'\swidth="([\d.]+)(?:px)?"', tag.group(0))
        height = re.search(r'\sheight="([\d.]+)(?:px)?"', tag.group(0))
        if width and height:
            return round(float(width.group(1))), round(float(height.group(1)))
        box = re.search(r'viewBox="[\d.\-]+[ ,]+[\d.\-]+[ ,]+([\d.]+)[ ,]+([\d.]+)"', tag.group(0))
        if box:
            return round(float(box.group(1))), round(float(box.group(2)))
    return None


def without_title(markdown: str, title: str) -> str:
    """The lesson body without a first ``# heading`` that repeats the lesson's title:
    authors who keep lessons as standalone Markdown files start them with it, and the
    page already shows the title as its h1."""
    first, _, rest = (markdown or "").lstrip().partition("\n")
    heading = re.fullmatch(r"#\s+(.*?)\s*#*\s*", first)
    if heading and " ".join(heading.group(1).split()).casefold() == " ".join(title.split()).casefold():
        return rest.lstrip("\n")
    return markdown


def lesson_html(markdown: str, files_url: str = "", sizes: dict[str, tuple[int, int]] | None = None,
                title: str = "") -> str:
    """``files_url`` ends with a slash; ``images/…`` sources are resolved against it and,
    with their ``sizes`` known, get width and height; every image loads lazily. A first
    heading repeating ``title`` is left out (see without_title)."""
    html = _md.render(without_title(markdown, title) if title else (markdown or ""))

    def _rewrite(tag: str, attr: str, value: str) -> str | None:
        if tag == "img" and attr == "src":
            return files_url + value if value.startswith("images/") else None
        return value

    # Headings in a lesson start under the page's own h1.
    for level in range(5, 0, -1):
        html = html.replace(f"<h{level}>", f"<h{level + 1}>").replace(f"</h{level}>", f"</h{level + 1}>")
    html = nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     attribute_filter=_rewrite, link_rel="noopener noreferrer")
    sizes = sizes or {}

    def _dimensions(match: re.Match) -> str:
        size = sizes.get(match.group(1)[len(files_url):]) if match.group(1).startswith(files_url) else None
        extra = f' width="{size[0]}" height="{size[1]}"' if size else ""
        return f'<img src="{match.group(1)}"{extra} loading="lazy"'

    return re.sub(r'<img src="([^"]*)"', _dimensions, html)

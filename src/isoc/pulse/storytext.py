"""Story bodies: Markdown, sanitized, with live figures embedded by reference. No Django.

A body embeds a figure with a placeholder on its own or inside a paragraph:

- ``{{ dataset:SLUG }}`` — that dataset's first rows with its source and download links;
- ``{{ indicator:CODE?country=XX }}`` — a small table of one country's series (e.g.
  ``{{ indicator:SP.POP.TOTL?country=KE }}``).

The figure is rendered from the data each time the story is shown (never copied into
the text), so it stays tied to its dataset. ``render`` converts the Markdown, removes
any HTML that is not plain formatting (nh3), then puts in the figures, which the
caller renders (they are the site's own trusted templates).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs

import markdown
import nh3

EMBED = re.compile(r"\{\{\s*(dataset|indicator):([-A-Za-z0-9_.]+)(\?[^}\s]*)?\s*\}\}")
ALLOWED_TAGS = {"p", "br", "h2", "h3", "h4", "h5", "h6", "strong", "em", "a", "ul", "ol", "li", "blockquote",
                "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td", "caption", "sup", "sub"}


@dataclass(frozen=True)
class Embed:
    kind: str  # "dataset" or "indicator"
    ref: str  # the dataset slug or indicator code
    params: dict[str, str]

    @property
    def source(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.params.items())
        return "{{ " + f"{self.kind}:{self.ref}" + (f"?{query}" if query else "") + " }}"


def embeds(body: str) -> list[Embed]:
    """The figures a body refers to, in order."""
    out = []
    for kind, ref, query in EMBED.findall(body):
        params = {k: v[0] for k, v in parse_qs((query or "?")[1:]).items()}
        out.append(Embed(kind, ref, params))
    return out


def render(body: str, figure: Callable[[Embed], str]) -> str:
    """Sanitized HTML of a Markdown body, each placeholder replaced by ``figure(embed)``."""
    found: dict[str, Embed] = {}
    nonce = secrets.token_hex(6)

    def hold(match: re.Match) -> str:
        token = f"ISOCFIGURE{nonce}N{len(found)}"
        found[token] = embeds(match.group(0))[0]
        return f"\n\n{token}\n\n"

    text = EMBED.sub(hold, body)
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    html = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}, "th": {"scope"}, "td": set()},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    for token, embed in found.items():
        rendered = figure(embed)
        html = html.replace(f"<p>{token}</p>", rendered).replace(token, rendered)
    return html

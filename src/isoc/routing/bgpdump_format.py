"""Format decoded MRT elements exactly like ``bgpdump -m`` lines (RIPE NCC bgpdump).

The layout was learnt from bgpdump's own expected outputs (test_expect/*.bgp.gz):

``TABLE_DUMP|ts|B|peer|peer_as|prefix|as_path|origin|next_hop|local_pref|med|communities|AG/NAG|aggregator|``
(``TABLE_DUMP2_AP`` adds the path id after the prefix), ``BGP4MP|ts|A|…`` as above,
``BGP4MP|ts|W|peer|peer_as|prefix`` and ``BGP4MP|ts|STATE|peer|peer_as|old|new``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from isoc.routing.mrt import (
    AS_CONFED_SEQUENCE,
    AS_CONFED_SET,
    AS_SET,
    PathAttributes,
    RouteElement,
)

_ORIGIN = {0: "IGP", 1: "EGP", 2: "INCOMPLETE"}
_WELL_KNOWN_COMMUNITIES = {
    0xFFFFFF01: "no-export",
    0xFFFFFF02: "no-advertise",
    0xFFFFFF03: "local-AS",
}


def as_path_str(segments: list[tuple[int, tuple[int, ...]]]) -> str:
    """bgpdump's AS path text: sequences space-separated, ``{a,b}`` sets, ``(a b)``/``[a,b]`` confederations."""
    parts: list[str] = []
    for seg_type, asns in segments:
        if seg_type == AS_SET:
            parts.append("{" + ",".join(map(str, asns)) + "}")
        elif seg_type == AS_CONFED_SEQUENCE:
            parts.append("(" + " ".join(map(str, asns)) + ")")
        elif seg_type == AS_CONFED_SET:
            parts.append("[" + ",".join(map(str, asns)) + "]")
        else:
            parts.extend(map(str, asns))
    return " ".join(parts)


def communities_str(attrs: PathAttributes) -> str:
    """Communities as ``asn:value``, well-known ones by name.

    Large communities are decoded (``attrs.large_communities``) but not printed: the bgpdump
    that wrote test_expect/bview.64k_stream_overflow leaves them out of ``-m`` lines.
    """
    return " ".join(
        _WELL_KNOWN_COMMUNITIES.get(c) or f"{c >> 16}:{c & 0xFFFF}" for c in attrs.communities
    )


def _next_hop(element: RouteElement, attrs: PathAttributes) -> str:
    """The next hop bgpdump prints: for MP-learnt routes the MP_REACH one, else NEXT_HOP."""
    prefix = element.prefix or ""
    if attrs.mp_reach is not None and attrs.mp_reach[2]:
        if ":" in prefix or attrs.next_hop is None:
            return attrs.mp_reach[2][0]
    if attrs.next_hop is not None:
        return attrs.next_hop
    # bgpdump starts from INADDR_NONE, so a route without any next hop shows all-ones.
    return "255.255.255.255" if ":" not in prefix else "::"


def _route_tail(element: RouteElement, attrs: PathAttributes) -> str:
    aggregator = f"{attrs.aggregator[0]} {attrs.aggregator[1]}" if attrs.aggregator else ""
    return "|".join(
        (
            as_path_str(attrs.as_path),
            _ORIGIN.get(attrs.origin, "INCOMPLETE") if attrs.origin is not None else "INCOMPLETE",
            _next_hop(element, attrs),
            str(attrs.local_pref or 0),
            str(attrs.med or 0),
            communities_str(attrs),
            "AG" if attrs.atomic_aggregate else "NAG",
            aggregator,
            "",
        )
    )


def format_element(element: RouteElement) -> str:
    """One bgpdump ``-m`` line (without newline) for ``element``."""
    head = (
        f"{element.source}|{element.timestamp}|{element.kind}|{element.peer_ip}|{element.peer_as}"
    )
    if element.kind == "STATE":
        return f"{head}|{element.old_state}|{element.new_state}"
    if element.kind == "W":
        return f"{head}|{element.prefix}"
    attrs = element.attrs or PathAttributes()
    if element.source == "TABLE_DUMP2_AP":
        return f"{head}|{element.prefix}|{element.path_id}|{_route_tail(element, attrs)}"
    return f"{head}|{element.prefix}|{_route_tail(element, attrs)}"


def format_elements(elements: Iterable[RouteElement]) -> Iterator[str]:
    """Lines for each element, in order."""
    for element in elements:
        yield format_element(element)

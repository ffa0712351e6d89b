"""Seed corpora for the fuzz harnesses, built at run time from the real files in
``../shared/data`` (SOURCES.md there says where each came from; never copied into the repo).

Seeds are small on purpose: libFuzzer mutates faster, and its default maximum input length
follows the largest seed. So each seed is a slice of a real file that still parses: the first
whole records of an MRT dump, a few records of a VRP export or PeeringDB dump, the first rows
of each KeepItOn sheet. Where the shared data has nothing (certificates, web headers) seeds
are made here, from the same libraries real servers use.

``python fuzz/corpus.py TARGET DIR`` writes one target's seeds into DIR.
"""

from __future__ import annotations

import base64
import bz2
import gzip
import hashlib
import io
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

SHARED_DATA = Path(os.environ.get("ISOC_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
if not SHARED_DATA.is_dir():
    SHARED_DATA = Path("/work/shared/data")


class NoSharedData(RuntimeError):
    """The shared data folder (or the part a target needs) is absent."""


def _need(relative: str) -> Path:
    path = SHARED_DATA / relative
    if not path.exists():
        raise NoSharedData(f"{path} is absent: the seed corpus is built from ../shared/data (see its SOURCES.md)")
    return path


# --- MRT ------------------------------------------------------------------------------------


def _mrt_seeds() -> Iterator[bytes]:
    from isoc.routing import mrt

    folder = _need("mrt")
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix not in (".gz", ".bz2") or "test_expect" in path.parts:
            continue
        with mrt.open_mrt(path) as stream:
            try:
                head = stream.read(256 * 1024)
            except (EOFError, OSError):
                continue
        offsets = [r.offset for r in mrt.read_records(io.BytesIO(head), lambda w: None)]
        if not offsets:
            continue
        bounds = [*offsets, len(head)]
        records = [(o, head[o:bounds[i + 1]]) for i, o in enumerate(offsets)]
        # The first whole records up to 2 KiB (a PEER_INDEX_TABLE comes first in RIBs)...
        first = b""
        for _, raw in records:
            if first and len(first) + len(raw) > 2048:
                break
            first += raw
        yield first
        yield gzip.compress(first[:1024])
        yield bz2.compress(first[:1024])
        # ...and one record of each (type, subtype) after the peer table, when small.
        peer_table = records[0][1] if head[4:8] == b"\x00\x0d\x00\x01" else b""
        seen = set()
        for _, raw in records:
            kind = raw[4:8]
            if kind in seen or len(raw) > 4096:
                continue
            seen.add(kind)
            yield peer_table + raw if raw is not peer_table else raw


# --- VRPs -----------------------------------------------------------------------------------


def _vrp_seeds() -> Iterator[bytes]:
    folder = _need("rpki")
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or "vrpdiff" in path.name:  # a diff between exports, not one
            continue
        raw = path.read_bytes()
        if raw[:3] == b"BZh":
            if path.stat().st_size > 1_000_000:  # the full 723k-VRP export: its head only
                raw = bz2.BZ2Decompressor().decompress(raw[:200_000], 400_000)
            else:
                raw = bz2.decompress(raw)
        text = raw.decode("utf-8", "replace")
        try:
            document = json.loads(text)
        except ValueError:
            document = _head_of_rpki_client_json(text)
        if isinstance(document, dict):
            small = {k: v for k, v in document.items() if k not in ("roas", "aspas", "bgpsec_keys")}
            small["roas"] = (document.get("roas") or [])[:4]
            if document.get("aspas"):
                small["aspas"] = document["aspas"][:2]
            yield json.dumps(small).encode()
        elif isinstance(document, list):
            yield json.dumps(document[:4]).encode()
            rows = ["ASN,IP Prefix,Max Length,Trust Anchor"]
            rows += [f"AS{r['asn']},{r['prefix']},{r['maxLength']},ripe" for r in document[:4]]
            yield ("\n".join(rows) + "\n").encode()
    yield bz2.compress(b'[{"prefix": "192.0.2.0/24", "maxLength": 24, "asn": 64496}]')
    yield gzip.compress(b"ASN,IP Prefix,Max Length,Trust Anchor\nAS64496,2001:db8::/32,48,arin\n")


def _head_of_rpki_client_json(text: str) -> dict:
    """The metadata and first ROAs of an rpki-client export cut short (only its head was read)."""
    start = text.find('"roas"')
    end = text.find("},", text.find("{", start)) + 1
    cut = text[:end] + "]}"
    try:
        return json.loads(cut)
    except ValueError:
        return {"roas": []}


# --- PeeringDB ------------------------------------------------------------------------------


def _peeringdb_seeds() -> Iterator[bytes]:
    from fuzz_targets import PEERINGDB_SEPARATOR

    folder = _need("country/ixp/peeringdb-2016")
    docs = {name: json.loads((folder / name).read_bytes()) for name in ("ix.json", "ixlan.json", "ixpfx.json")}
    for start in (0, 100, 300):
        ixes = docs["ix.json"]["data"][start:start + 3]
        ix_ids = {r["id"] for r in ixes}
        lans = [r for r in docs["ixlan.json"]["data"] if r.get("ix_id") in ix_ids]
        lan_ids = {r["id"] for r in lans}
        pfxs = [r for r in docs["ixpfx.json"]["data"] if r.get("ixlan_id") in lan_ids]
        parts = [
            {"meta": docs[name].get("meta", {}), "data": records}
            for name, records in (("ix.json", ixes), ("ixlan.json", lans), ("ixpfx.json", pfxs))
        ]
        # netixlan.json is not in the 2016 dump: two members in its API shape.
        members = [
            {"ixlan_id": lan["id"], "asn": 64496 + i, "ipaddr4": f"192.0.2.{i + 1}",
             "ipaddr6": f"2001:db8::{i + 1:x}", "is_rs_peer": bool(i % 2), "name": ""}
            for i, lan in enumerate(lans[:2])
        ]
        encoded = [json.dumps(p).encode() for p in parts]
        yield PEERINGDB_SEPARATOR.join(encoded)
        yield PEERINGDB_SEPARATOR.join([*encoded, json.dumps({"meta": parts[0]["meta"], "data": members}).encode()])


# --- KeepItOn -------------------------------------------------------------------------------


def _keepiton_seeds() -> Iterator[bytes]:
    import openpyxl
    from fuzz_targets import keepiton_workbook

    path = _need("shutdowns/keepiton/Keepiton_raw_dataset.xlsx")
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            rows = []
            for row in sheet.iter_rows(values_only=True, max_row=4):
                cells = []
                for value in row[:40]:
                    if value is None:
                        cells.append("")
                    elif hasattr(value, "date") and hasattr(value, "hour"):
                        cells.append(value.date().isoformat())
                    else:
                        cells.append(str(value).replace("\t", " ").replace("\n", " "))
                rows.append(cells)
            tsv = "\n".join("\t".join(r) for r in rows).encode()
            yield tsv
            if sheet.title.strip() == "2022 Data":
                yield keepiton_workbook([r[:14] for r in rows[:3]])  # one real .xlsx, small
    finally:
        book.close()


# --- VERIS ----------------------------------------------------------------------------------


def _veris_seeds() -> Iterator[bytes]:
    folder = _need("incidents/json")
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() == ".json":
            yield path.read_bytes()


# --- DNS ------------------------------------------------------------------------------------


def _dns_seeds() -> Iterator[bytes]:
    """The real answers DNSViz recorded (base64 wire messages), a few per question type."""
    folder = _need("domains/dnssec-dnsviz")
    per_type: dict[str, int] = {}
    for path in sorted(folder.glob("*.json.gz")):
        document = json.loads(gzip.decompress(path.read_bytes()))
        for wire, qtype in _dnsviz_messages(document):
            if per_type.get(qtype, 0) >= 6:
                continue
            per_type[qtype] = per_type.get(qtype, 0) + 1
            yield wire
    yield from _made_dns_answers()


def _dnsviz_messages(node, qtype: str = "") -> Iterator[tuple[bytes, str]]:
    if isinstance(node, dict):
        qtype = node.get("qtype", qtype)
        message = node.get("message")
        if isinstance(message, str):
            try:
                yield base64.b64decode(message), qtype
            except ValueError:
                pass
        for value in node.values():
            yield from _dnsviz_messages(value, qtype)
    elif isinstance(node, list):
        for value in node:
            yield from _dnsviz_messages(value, qtype)


def _made_dns_answers() -> Iterator[bytes]:
    """TXT/MX/CAA answers the email probes read (DNSViz asked none of those)."""
    import dns.message
    import dns.rrset

    answers = {
        ("example.com.", "TXT"): ['"v=spf1 include:_spf.example.net -all"'],
        ("_dmarc.example.com.", "TXT"): ['"v=DMARC1; p=reject; pct=100; rua=mailto:d@example.com"'],
        ("sel._domainkey.example.com.", "TXT"): [
            '"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYt"'
            ' "IxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB"'
        ],
        ("_mta-sts.example.com.", "TXT"): ['"v=STSv1; id=20240101"'],
        ("example.com.", "MX"): ["10 mx1.example.com.", "20 mx2.example.net."],
        ("example.com.", "CAA"): ['0 issue "letsencrypt.org"', '0 iodef "mailto:sec@example.com"'],
    }
    for (name, rdtype), texts in answers.items():
        query = dns.message.make_query(name, rdtype, want_dnssec=True)
        response = dns.message.make_response(query)
        response.answer.append(dns.rrset.from_text_list(name, 300, "IN", rdtype, texts))
        yield response.to_wire()


# --- certificates ---------------------------------------------------------------------------


def _tls_seeds() -> Iterator[bytes]:
    """Certificates as servers send them (DER): a CA, a leaf for several names, a wildcard,
    an IP address and an expired one, made with trustme (the enablers test fleet's CA)."""
    import datetime

    import trustme
    from cryptography import x509

    ca = trustme.CA()
    yield ca.cert_pem.bytes()
    leaves = [
        ca.issue_cert("www.example.com", "example.com"),
        ca.issue_cert("*.example.com"),
        ca.issue_cert("192.0.2.1", "xn--bcher-kva.example"),
        ca.issue_cert("old.example.com", not_after=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)),
    ]
    for leaf in leaves:
        pem = leaf.cert_chain_pems[0].bytes()
        from cryptography.hazmat.primitives.serialization import Encoding

        yield x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER)
    ca_cert = x509.load_pem_x509_certificate(ca.cert_pem.bytes())
    from cryptography.hazmat.primitives.serialization import Encoding

    yield ca_cert.public_bytes(Encoding.DER)


# --- web ------------------------------------------------------------------------------------


def _web_seeds() -> Iterator[bytes]:
    """Header values and pages as sites send them, and real host names (Umbrella's list)."""
    yield b"max-age=31536000; includeSubDomains; preload"
    yield b'max-age="63072000"; includeSubDomains'
    yield b'h3=":443"; ma=86400, h3-29=":8443"; persist=1, clear'
    yield (b'<html><head><base href="https://www.example.com/"><script src="https://cdn.other.example/x.js">'
           b'</script></head><body><a href="/privacy">Privacy policy</a><iframe src="//ads.example.net/f">'
           b'</iframe><img src="data:image/png;base64,AAAA"></body></html>')
    yield (b"<h1>Privacy notice</h1><p>We collect your email address to send newsletters. "
           b"You may ask us to delete your data. Contact our data protection officer.</p>")
    path = SHARED_DATA / "domains/umbrella/top-sites-10000.csv"
    if path.is_file():
        names = [line.split(",", 1)[-1] for line in path.read_text().splitlines()[1:200]]
        for i in range(0, 200, 50):
            yield "\n".join(["*." + names[i], *names[i:i + 10]]).encode()


SEEDS = {
    "mrt": _mrt_seeds,
    "vrps": _vrp_seeds,
    "peeringdb": _peeringdb_seeds,
    "keepiton": _keepiton_seeds,
    "veris": _veris_seeds,
    "dns": _dns_seeds,
    "tls": _tls_seeds,
    "web": _web_seeds,
}


def write_seeds(target: str, folder: Path) -> int:
    """Write ``target``'s seeds into ``folder`` (named by content hash); how many."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for seed in SEEDS[target]():
        (folder / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
        count += 1
    return count


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    print(write_seeds(sys.argv[1], Path(sys.argv[2])), "seeds")

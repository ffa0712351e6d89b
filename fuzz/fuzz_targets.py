"""What each fuzz harness does with one input: call a Django-free parser on hostile bytes.

Each target function returns normally when the parser accepted the input or refused it with
its documented error type; anything else it lets through (or raises itself, for a broken
invariant) is a crash. The atheris harnesses (``fuzz/fuzz_<target>.py``) call these, and so
do the regression tests (``tests/fuzzing/test_regressions.py``) with each crash found.

Kept free of atheris so that the regression tests import it without a fuzzer.
"""

from __future__ import annotations

import io
import ssl
import tempfile
from pathlib import Path

# --- MRT decoder (isoc.routing.mrt, and the compiled isoc.routing._mrtdecode) --------------


def mrt(data: bytes) -> None:
    """The MRT decoder never raises for bad input (its docstring): damage is a warning.

    When the compiled decoder is built it must give exactly the pure path's rows and
    warnings, byte offset for byte offset (elements.py promises it), so the two are compared.
    """
    from isoc.routing import elements

    pure_warnings: list = []
    pure = elements.read_table(io.BytesIO(data), pure_warnings.append, engine="python")
    if elements.COMPILED is None:
        return
    compiled_warnings: list = []
    compiled = elements.read_table(io.BytesIO(data), compiled_warnings.append, engine="compiled")
    if not pure.equals(compiled):
        raise AssertionError(
            f"compiled decoder rows differ from the pure path: {compiled.num_rows} vs {pure.num_rows}\n"
            f"compiled: {compiled.to_pylist()[:3]}\npure: {pure.to_pylist()[:3]}"
        )
    if [str(w) for w in pure_warnings] != [str(w) for w in compiled_warnings]:
        raise AssertionError(f"warnings differ: {compiled_warnings[:3]} vs {pure_warnings[:3]}")


# --- VRP files (isoc.routing.vrps) ---------------------------------------------------------


def vrps(data: bytes) -> None:
    """Any VRP file content: a VRPSet or VRPError (the importer refuses only that)."""
    from isoc.routing import vrps as vrp_files

    try:
        vrp_files.parse_bytes(data)
    except vrp_files.VRPError:
        pass


# --- PeeringDB dump (isoc.infra.peeringdb) -------------------------------------------------

#: Separates the dump's files inside one fuzz input: ix.json, ixlan.json, ixpfx.json and
#: optionally netixlan.json, in that order.
PEERINGDB_SEPARATOR = b"\n--next-file--\n"
_PEERINGDB_FILES = ("ix.json", "ixlan.json", "ixpfx.json", "netixlan.json")
_peeringdb_dir: Path | None = None


def peeringdb(data: bytes) -> None:
    """A PeeringDB dump directory: a Snapshot or MalformedFile."""
    from isoc.infra import peeringdb as pdb
    from isoc.pulse.importing import MalformedFile

    global _peeringdb_dir
    if _peeringdb_dir is None:
        _peeringdb_dir = Path(tempfile.mkdtemp(prefix="isoc-fuzz-peeringdb-"))
    parts = data.split(PEERINGDB_SEPARATOR)
    for name, part in zip(_PEERINGDB_FILES, [*parts, *[None] * 4], strict=False):
        path = _peeringdb_dir / name
        if part is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(part)
    try:
        pdb.parse_dir(_peeringdb_dir)
    except MalformedFile:
        pass


# --- KeepItOn STOP workbook (isoc.shutdowns.keepiton) ---------------------------------------

_keepiton_path: Path | None = None


def keepiton_workbook(rows: list[list[str]]) -> bytes:
    """An .xlsx of one sheet from text rows: a cell that reads as a number or an ISO date is
    written as one (the real workbook mixes typed and text cells)."""
    from datetime import date

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "2022 Data"
    for row in rows:
        cells: list = []
        for text in row:
            value: object = text
            if text.isdigit() and len(text) < 15:
                value = int(text)
            elif len(text) == 10 and text[4:5] == "-":
                try:
                    value = date.fromisoformat(text)
                except ValueError:
                    pass
            cells.append(value)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def keepiton(data: bytes) -> None:
    """The STOP workbook: ParseResult or MalformedFile.

    An input starting with ``PK`` is an .xlsx file as is (damage to the zip and its XML);
    anything else is read as tab-separated text rows, first row the header, and written into a
    real workbook first, so that the row reader meets hostile cell values, not just zip errors.
    """
    from isoc.shutdowns import keepiton as stop
    from isoc.shutdowns.matching import MalformedFile

    global _keepiton_path
    if _keepiton_path is None:
        _keepiton_path = Path(tempfile.mkdtemp(prefix="isoc-fuzz-keepiton-")) / "stop.xlsx"
    if not data.startswith(b"PK"):
        text = data.decode("utf-8", "replace")
        # openpyxl refuses control characters in cells (IllegalCharacterError): a real
        # workbook cannot hold them, so they are not the parser's input.
        text = "".join(c for c in text if c in "\t\n" or c >= " ")
        rows = [line.split("\t") for line in text.split("\n")[:200]]
        data = keepiton_workbook(rows)
    _keepiton_path.write_bytes(data)
    try:
        stop.parse(_keepiton_path)
    except MalformedFile:
        pass


# --- VERIS incident records (isoc.incidents.veris) ------------------------------------------

_veris_schemas: list | None = None


def veris_schemas() -> list:
    """The built-in core schema, and the full published one when the shared data has it."""
    global _veris_schemas
    if _veris_schemas is None:
        from isoc.incidents import veris as v

        _veris_schemas = [None]
        from corpus import SHARED_DATA

        full = SHARED_DATA / "incidents/schema/verisc-merged.json"
        if full.is_file():
            _veris_schemas.append(v.load_schema(full))
    return _veris_schemas


def veris(data: bytes) -> None:
    """One incident file: IncidentRecord or InvalidRecord, under each schema."""
    from isoc.incidents import veris as v

    for schema in veris_schemas():
        try:
            v.read_record(data, schema)
        except v.InvalidRecord:
            pass


# --- DNS answers and the records the email probes read (isoc.enablers.probes_dns) -----------


def dns(data: bytes) -> None:
    """A resolver's answer as the probes read it: the wire message as dnspython decodes it
    for the client (refused with its DNSException), then every record parser the probes
    apply to the answer."""
    import dns.exception
    import dns.message
    from checkdmarc.mta_sts import MTASTSError, parse_mta_sts_record

    from isoc.enablers import probes_dns as p

    try:
        message = dns.message.from_wire(data)
    except dns.exception.DNSException:
        return
    name = message.question[0].name.to_text() if message.question else "example.com."
    for rdtype in ("A", "AAAA", "CAA", "MX", "TXT"):
        answer = p._answer(name, rdtype, message)
        answer.exists  # noqa: B018 - the property the probes branch on
        if rdtype == "CAA":
            sorted(r.to_text() for r in answer.records)
        elif rdtype == "MX":
            mx = sorted(answer.records, key=lambda r: (r.preference, r.exchange.to_text()))
            [r.exchange.to_text(omit_final_dot=True).lower() for r in mx]
        elif rdtype == "TXT":
            for text in answer.texts():
                p._dkim_key_problem(text)
                p._dmarc_tags(text)
                p._all_qualifier(text)
            for prefix in ("v=spf1", "v=DMARC1", "v=STSv1"):
                for record in p._records_with_prefix(answer, prefix):
                    try:
                        parse_mta_sts_record(record)
                    except MTASTSError:
                        pass


# --- certificates (isoc.enablers.probes_web) ------------------------------------------------


def tls(data: bytes) -> None:
    """A server's certificate (DER) as the web probe reads it: facts, or
    UnreadableCertificate for bytes that are not a certificate. Read as verified and as failing the
    hostname check, so the failure's explanation is built from the hostile fields too."""
    from isoc.enablers import probes_web as w

    failure = ssl.SSLCertVerificationError(1, "certificate verify failed")
    failure.verify_code = 62  # X509_V_ERR_HOSTNAME_MISMATCH
    failure.verify_message = "Hostname mismatch"
    for fail in (None, failure):
        try:
            w._read_certificate(data, "www.example.com", fail)
        except w.UnreadableCertificate:  # reported as "the certificate cannot be read"
            return


# --- web answers (isoc.enablers.web_parsing) ------------------------------------------------


def web(data: bytes) -> None:
    """Header values, a home page and certificate names as servers send them: these readers
    never raise (web_parsing's docstring), whatever the text."""
    from isoc.enablers import web_parsing as wp

    text = data.decode("utf-8", "replace")
    wp.parse_hsts(text)
    wp.parse_alt_svc(text)
    wp.read_page(text, "https://www.example.com/", "example.com")
    lines = text.splitlines() or [""]
    for line in lines[:20]:
        wp.name_matches(lines[:20], line)
        wp.policy_fetch_problem(line, "example.com")
        wp.registrable_domain(line)
    body = wp.policy_text(text)
    wp.policy_text(text, "text/plain")
    wp.privacy_elements(body)


#: Every target by name (the harness file is fuzz/fuzz_<name>.py).
TARGETS = {
    "mrt": mrt,
    "vrps": vrps,
    "peeringdb": peeringdb,
    "keepiton": keepiton,
    "veris": veris,
    "dns": dns,
    "tls": tls,
    "web": web,
}

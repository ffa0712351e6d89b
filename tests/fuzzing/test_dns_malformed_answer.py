"""A resolver that answers with bytes that are not a DNS message (what fuzz_dns.py feeds the
wire decoder): the probes say the DNS was not measured, "malformed", instead of crashing."""

from __future__ import annotations

import asyncio
import socket
import threading
from datetime import UTC, datetime

import pytest


class GarbageResolver:
    """A UDP server on loopback answering every question with the same broken reply."""

    def __init__(self, reply_for):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.reply_for = reply_for
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                question, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            self.sock.sendto(self.reply_for(question), peer)

    def close(self):
        self._stop.set()
        self._thread.join()
        self.sock.close()


# The question's id and flags, then a header claiming one answer that is not there
# (dnspython: FormError / ShortHeader), and a reply too short for a header at all.
REPLIES = {
    "truncated-answer": lambda q: q[:2] + b"\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00" + q[12:] + b"\xc0",
    "short-header": lambda q: q[:5],
}


@pytest.mark.parametrize("reply", REPLIES.values(), ids=REPLIES.keys())
def test_a_malformed_answer_is_not_measured_not_a_crash(reply):
    from isoc.enablers.config import Resolver, ScanConfig
    from isoc.enablers.probes_dns import probe_dns, probe_email
    from isoc.enablers.results import DomainResult

    server = GarbageResolver(reply)
    try:
        config = ScanConfig(resolvers=(Resolver("127.0.0.1", server.port),), timeout=0.5, retries=0,
                            dkim_selectors=("sel",))

        async def run():
            result = DomainResult(domain="example.test", scanned_at=datetime.now(UTC), resolver=config.resolver_label)
            await probe_dns("example.test", result, config)
            await probe_email("example.test", result, config)
            return result

        result = asyncio.run(run())
    finally:
        server.close()
    assert result.dns_error == "malformed"
    assert "malformed answer" in result.errors["dns"]
    assert result.dnssec == "indeterminate" and result.caa is None
    assert result.spf_strict is None and "did not answer (malformed)" in result.why["spf"]

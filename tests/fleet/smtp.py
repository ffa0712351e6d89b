"""The fleet's mail servers (aiosmtpd): with STARTTLS and a certificate from the test CA,
with STARTTLS and a certificate for the wrong name, without STARTTLS, and one that greets
and then never answers. They run inside the fleet's network in the servers process
(``fleet.servers``); this module says what each kind does.
"""

from __future__ import annotations

import asyncio
import ssl

from aiosmtpd.smtp import SMTP


class AcceptAll:
    """A mail handler that takes every message and keeps none."""

    async def handle_DATA(self, server, session, envelope) -> str:
        return "250 Message accepted"


def _tls_context(cert: str, key: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


async def start_smtp(host: str, port: int, hostname: str, cert: str | None = None,
                     key: str | None = None) -> asyncio.AbstractServer:
    """An SMTP server; it offers STARTTLS exactly when given a certificate."""
    tls = _tls_context(cert, key) if cert else None
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: SMTP(AcceptAll(), hostname=hostname, tls_context=tls, require_starttls=False,
                     ident="isoc test fleet ESMTP"),
        host, port, reuse_address=True)


async def start_hanging_smtp(host: str, port: int, hostname: str) -> asyncio.AbstractServer:
    """Greets like a mail server, then reads and never answers (EHLO waits forever)."""

    async def greet_then_hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(f"220 {hostname} ESMTP\r\n".encode())
        await writer.drain()
        try:
            while await reader.read(4096):
                pass
        finally:
            writer.close()

    return await asyncio.start_server(greet_then_hang, host, port, reuse_address=True)

"""The web fleet's own servers, beside nginx: an HTTP/3 server on aioquic for the sites that
advertise h3, and servers that accept a connection (and complete the TLS handshake) then
never answer, for the timeout tests.

Run as a separate process inside the fleet's network (``ip netns exec``), by
``fleet.web.WebFleet``: ``python web_servers.py SPEC.json``. The spec lists
``{"quic": [{"address", "port", "cert", "key"}], "hang": [{"address", "port", "cert"?,
"key"?}]}``. It prints ``ready`` once every socket is bound, and runs until killed.
Standalone on purpose (no import from the test tree), so that it starts the same way in a
namespace and on loopback.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import sys

from aioquic.asyncio import QuicConnectionProtocol, serve
from aioquic.h3.connection import H3_ALPN, H3Connection
from aioquic.h3.events import HeadersReceived
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.events import ProtocolNegotiated

PAGE = b"<!doctype html><title>HTTP/3</title><p>served over HTTP/3 by the isoc test fleet</p>"


class Http3Server(QuicConnectionProtocol):
    """Answers every HTTP/3 request with 200 and a small page."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._http: H3Connection | None = None

    def quic_event_received(self, event) -> None:
        if isinstance(event, ProtocolNegotiated) and event.alpn_protocol in H3_ALPN:
            self._http = H3Connection(self._quic)
        if self._http is None:
            return
        for h3_event in self._http.handle_event(event):
            if isinstance(h3_event, HeadersReceived):
                self._http.send_headers(h3_event.stream_id, [
                    (b":status", b"200"), (b"content-type", b"text/html"),
                    (b"content-length", str(len(PAGE)).encode())])
                self._http.send_data(h3_event.stream_id, PAGE, end_stream=True)
                self.transmit()


async def _hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Read whatever comes and never answer, until the client gives up."""
    try:
        while await reader.read(4096):
            pass
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        writer.transport.abort()


async def main(spec_path: str) -> None:
    with open(spec_path) as file:
        spec = json.load(file)
    for quic in spec.get("quic", []):
        configuration = QuicConfiguration(is_client=False, alpn_protocols=H3_ALPN)
        configuration.load_cert_chain(quic["cert"], quic["key"])
        await serve(quic["address"], quic["port"], configuration=configuration, create_protocol=Http3Server)
    servers = []
    for hang in spec.get("hang", []):
        context = None
        if hang.get("cert"):
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(hang["cert"], hang["key"])
        servers.append(await asyncio.start_server(_hang, hang["address"], hang["port"], ssl=context))
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))

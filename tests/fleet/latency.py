"""Network distance for the benchmark: relays that hold every packet (UDP) or chunk (TCP)
for a one-way delay before passing it on, in front of the authoritative DNS server and the
mail and policy servers.

The kernel's netem qdisc would do this below the sockets, but it is not available on
every machine (``tc qdisc add … netem`` fails without the sch_netem module); a relay in
the fleet's servers process does the same for the traffic that matters to a scan. A TCP
connection through a relay costs one round trip before the first byte moves (the
handshake a real connection pays), then one one-way delay per chunk in each direction.
"""

from __future__ import annotations

import asyncio


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    """Copy ``reader`` to ``writer``, each chunk ``delay`` seconds later (timers fire in the
    order they were set, so the stream keeps its order; a scan's volumes need no back-pressure)."""
    loop = asyncio.get_running_loop()

    def deliver(data: bytes | None) -> None:
        if writer.is_closing():
            return
        try:
            if data is not None:
                writer.write(data)
            elif writer.can_write_eof():
                writer.write_eof()
        except (ConnectionError, RuntimeError):
            pass

    try:
        while data := await reader.read(65536):
            loop.call_later(delay, deliver, data)
    except ConnectionError:
        pass
    loop.call_later(delay, deliver, None)
    await asyncio.sleep(delay)  # the end arrives one delay later too


async def start_tcp_relay(host: str, port: int, target: tuple[str, int], delay: float) -> asyncio.AbstractServer:
    async def relay(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(2 * delay)  # the TCP handshake's round trip
        try:
            server_reader, server_writer = await asyncio.open_connection(*target)
        except OSError:
            client_writer.close()
            return
        try:
            await asyncio.gather(_pipe(client_reader, server_writer, delay), _pipe(server_reader, client_writer, delay))
        finally:
            client_writer.close()
            server_writer.close()

    return await asyncio.start_server(relay, host, port, reuse_address=True, backlog=4096)


def _question_key(message: bytes) -> bytes | None:
    """A DNS message's ID and question section: what pairs an answer with its question."""
    i = 12
    try:
        while message[i]:
            i += message[i] + 1
    except IndexError:
        return None
    return message[:2] + message[12:i + 5] if len(message) >= i + 5 else None


class _Upstream(asyncio.DatagramProtocol):
    """The relay's one socket towards the server; answers go back to whoever asked."""

    def __init__(self, relay: _UdpRelay):
        self.relay = relay
        self.transport = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data, addr) -> None:
        client = self.relay.waiting.pop(_question_key(data), None)
        if client is not None:
            self.relay.loop.call_later(self.relay.delay, self.relay.transport.sendto, data, client)


class _UdpRelay(asyncio.DatagramProtocol):
    def __init__(self, upstream: _Upstream | None, delay: float):
        self.delay = delay
        self.loop = asyncio.get_running_loop()
        self.transport = None
        self.upstream = upstream
        self.waiting: dict[bytes, tuple] = {}  # question key → client address

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data, client) -> None:
        key = _question_key(data)
        if key is None:
            return
        self.waiting[key] = client
        self.loop.call_later(self.delay, self.upstream.transport.sendto, data)


async def start_udp_relay(host: str, port: int, target: tuple[str, int], delay: float):
    loop = asyncio.get_running_loop()
    relay = _UdpRelay(None, delay)
    transport, _ = await loop.create_datagram_endpoint(lambda: relay, local_addr=(host, port))
    _, relay.upstream = await loop.create_datagram_endpoint(lambda: _Upstream(relay), remote_addr=target)
    return transport


class _DatagramRelay(asyncio.DatagramProtocol):
    """Any datagrams (QUIC), per client: one socket towards the server for each client
    address, so that the server's answers find their way back. Each datagram is held for
    the one-way delay in each direction."""

    def __init__(self, target: tuple[str, int], delay: float):
        self.target, self.delay = target, delay
        self.loop = asyncio.get_running_loop()
        self.transport = None
        self.upstreams: dict[tuple, asyncio.Future] = {}

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data, client) -> None:
        self.loop.call_later(self.delay, self._forward, client, data)

    def _forward(self, client, data) -> None:
        upstream = self.upstreams.get(client)
        if upstream is None:
            upstream = self.upstreams[client] = asyncio.ensure_future(self._open(client))
        if upstream.done():
            upstream.result().sendto(data)
        else:  # the socket is being opened: send once it is (callbacks run in order)
            upstream.add_done_callback(lambda opened: opened.result().sendto(data))

    async def _open(self, client):
        relay = self

        class Back(asyncio.DatagramProtocol):
            def datagram_received(self, data, addr) -> None:
                relay.loop.call_later(relay.delay, relay.transport.sendto, data, client)

        transport, _ = await self.loop.create_datagram_endpoint(Back, remote_addr=self.target)
        return transport


async def start_datagram_relay(host: str, port: int, target: tuple[str, int], delay: float):
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(lambda: _DatagramRelay(target, delay), local_addr=(host, port))
    return transport

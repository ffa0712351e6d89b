"""The fleet's Python servers, in one process inside the fleet's network:
``python -m fleet.servers CONFIG.json`` starts every server the file lists and prints
``ready`` once all listen.

Kinds: ``smtp`` (STARTTLS when given a certificate), ``smtp-hang`` (greets, then silence),
``dns-silent`` (reads DNS questions over UDP and TCP, never answers) and ``https-policy``
(HTTPS answering ``GET /.well-known/mta-sts.txt`` by Host with the configured policy, 404
for any other host or path) and ``relay`` (to a server of another process, e.g. NSD: DNS over UDP and TCP), ``tcp-relay``
and ``udp-relay`` (any TCP stream or datagrams: the web sites, QUIC). With
``"delay"`` (seconds, one way) every server is reached through a relay that holds each
packet that long (``fleet.latency``): the benchmark's network distance.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import sys

from fleet.latency import start_datagram_relay, start_tcp_relay, start_udp_relay
from fleet.smtp import start_hanging_smtp, start_smtp


class _Silent(asyncio.DatagramProtocol):
    def datagram_received(self, data, addr) -> None:  # read, never answer
        pass


async def start_silent_dns(host: str, port: int) -> list:
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(_Silent, local_addr=(host, port), reuse_port=False)

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await reader.read(4096):
                pass
        finally:
            writer.close()

    server = await asyncio.start_server(swallow, host, port, reuse_address=True)
    return [transport, server]


async def start_policy_https(host: str, port: int, cert: str, key: str, policies: dict[str, str]):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError, ssl.SSLError):
            writer.close()
            return
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split()
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        host_name = headers.get("host", "").split(":")[0].lower()
        policy = policies.get(host_name) if len(parts) >= 2 and parts[1] == "/.well-known/mta-sts.txt" else None
        status, body = ("200 OK", policy) if policy is not None else ("404 Not Found", "not found\n")
        data = body.encode()
        writer.write(f"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {len(data)}\r\n"
                     f"Connection: close\r\n\r\n".encode() + data)
        try:
            await writer.drain()
        except ConnectionError:
            pass
        writer.close()

    return await asyncio.start_server(answer, host, port, ssl=context, reuse_address=True)


async def _start(server: dict, host: str, port: int):
    kind = server["kind"]
    if kind == "smtp":
        return await start_smtp(host, port, server["hostname"], server.get("cert"), server.get("key"))
    if kind == "smtp-hang":
        return await start_hanging_smtp(host, port, server["hostname"])
    if kind == "https-policy":
        return await start_policy_https(host, port, server["cert"], server["key"], server["policies"])
    raise SystemExit(f"unknown server kind {kind!r}")


async def main(config_path: str) -> None:
    config = json.loads(open(config_path).read())
    delay = config.get("delay", 0.0)  # one way, seconds: the benchmark's network distance
    keep = []
    for server in config["servers"]:
        kind, port = server["kind"], server["port"]
        if kind == "dns-silent":
            for host in server["hosts"]:
                keep.extend(await start_silent_dns(host, port))
        elif kind in ("tcp-relay", "udp-relay"):  # to a web server started elsewhere (nginx, aioquic)
            start = start_tcp_relay if kind == "tcp-relay" else start_datagram_relay
            for host in server["hosts"]:
                keep.append(await start(host, port, tuple(server["target"]), delay))
        elif kind == "relay":  # to a server started elsewhere (NSD), with the delay
            target = tuple(server["target"])
            for host in server["hosts"]:
                keep.append(await start_udp_relay(host, port, target, delay))
                keep.append(await start_tcp_relay(host, port, target, delay))
        elif delay:
            # the server on loopback, reached through a delaying relay on each address
            inner = await _start(server, "127.0.0.1", 0)
            keep.append(inner)
            target = ("127.0.0.1", inner.sockets[0].getsockname()[1])
            for host in server["hosts"]:
                keep.append(await start_tcp_relay(host, port, target, delay))
        else:
            for host in server["hosts"]:
                keep.append(await _start(server, host, port))
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))

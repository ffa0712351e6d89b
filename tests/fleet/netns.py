"""Where the test fleet's servers live: a network namespace joined to the host by a veth
pair, or, when namespaces are not allowed (not root), loopback addresses and high ports.

A namespace gives every test host its own IPv4 and IPv6 addresses and the standard ports
(53, 25, 443), so the scanner talks to the fleet exactly as it talks to the Internet,
only through ``ScanConfig.resolvers``. The host side of the veth pair is ``10.201.N.1`` and
``fd00:201:0:N::1``; hosts inside get ``10.201.N.<host>`` and ``fd00:201:0:N::<host>``.
``N`` is picked under a lock so that several test sessions on one machine (two engineers,
or a test run beside a benchmark) never share a subnet.

Teardown always runs: ``close()`` is idempotent, registered with ``atexit``, and a new
network first deletes namespaces left behind by sessions whose process is gone (a test
run killed with SIGKILL), stopping the servers still running in them.
"""

from __future__ import annotations

import atexit
import fcntl
import ipaddress
import os
import re
import shutil
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass, field

PREFIX = "isocfleet"
LOCK_FILE = "/tmp/isoc-fleet-netns.lock"
_NAME = re.compile(rf"^{PREFIX}-(\d+)-(\d+)$")


class NetworkUnavailable(RuntimeError):
    """Network namespaces cannot be created here (not root, or no ``ip``)."""


def _ip(*args: str, input: str | None = None) -> str:
    done = subprocess.run(["ip", *args], input=input, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip() or done.returncode}")
    return done.stdout


def namespaces_allowed() -> bool:
    return os.geteuid() == 0 and shutil.which("ip") is not None and os.environ.get("ISOC_FLEET_LOOPBACK") != "1"


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie, killed and not yet reaped, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def _existing_namespaces() -> list[str]:
    return [line.split()[0] for line in _ip("netns", "list").splitlines() if line.strip()]


def remove_stale_namespaces() -> list[str]:
    """Delete the fleet namespaces of test sessions whose process no longer runs."""
    removed = []
    for name in _existing_namespaces():
        match = _NAME.match(name)
        if match and not _alive(int(match.group(1))):
            # its servers outlived the session (started in sessions of their own): stop them
            for pid in subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True).stdout.split():
                try:
                    os.kill(int(pid), 9)
                except (ProcessLookupError, ValueError):
                    pass
            subprocess.run(["ip", "netns", "del", name], capture_output=True)
            subprocess.run(["ip", "link", "del", f"isf{match.group(2)}h"], capture_output=True)
            removed.append(name)
    return removed


@contextmanager
def _allocation_lock():
    with open(LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@dataclass
class Ports:
    """The ports the fleet's services listen on (standard in a namespace)."""

    dns: int = 53
    smtp: int = 25
    http: int = 80
    https: int = 443


@dataclass
class Network:
    """A place for test hosts: ``address(host)`` and ``address6(host)`` name host number
    ``host`` (2–254); ``popen`` runs a server there; ``close`` removes everything."""

    mode: str  # "netns" or "loopback"
    index: int
    name: str = ""
    ports: Ports = field(default_factory=Ports)
    _hosts: set[int] = field(default_factory=set)
    _processes: list[subprocess.Popen] = field(default_factory=list)
    _closed: bool = False

    @property
    def host_if(self) -> str:
        return f"isf{self.index}h"

    @property
    def ns_if(self) -> str:
        return f"isf{self.index}n"

    @property
    def reason(self) -> str:
        """Why this kind of network, for the test log."""
        if self.mode == "netns":
            return f"test hosts in network namespace {self.name} (10.201.{self.index}.0/24, fd00:201:0:{self.index:x}::/64)"
        return ("network namespaces are not allowed here (not root, or ISOC_FLEET_LOOPBACK=1): test hosts are "
                f"loopback addresses 127.201.{self.index}.N with high ports, and every AAAA is ::1")

    def address(self, host: int) -> str:
        if self.mode == "netns":
            return f"10.201.{self.index}.{host}"
        return f"127.201.{self.index}.{host}"

    def address6(self, host: int) -> str:
        if self.mode == "netns":
            return str(ipaddress.IPv6Address(f"fd00:201:0:{self.index:x}::{host:x}"))
        return "::1"

    @property
    def host_address(self) -> str:
        """The address the test process itself has on the fleet's network."""
        return self.address(1) if self.mode == "netns" else "127.0.0.1"

    def add_hosts(self, hosts: list[int]) -> None:
        """Give the namespace the addresses of these hosts (one IPv4, one IPv6 each)."""
        new = [h for h in hosts if h not in self._hosts]
        if not new:
            return
        if self.mode == "netns":
            batch = []
            for h in new:
                batch.append(f"addr add {self.address(h)}/24 dev {self.ns_if}")
                batch.append(f"addr add {self.address6(h)}/64 dev {self.ns_if} nodad")
            _ip("-n", self.name, "-batch", "-", input="\n".join(batch) + "\n")
        self._hosts.update(new)

    def command(self, argv: list[str]) -> list[str]:
        """``argv`` run inside the network (``ip netns exec`` in a namespace)."""
        return ["ip", "netns", "exec", self.name, *argv] if self.mode == "netns" else list(argv)

    def popen(self, argv: list[str], **kwargs) -> subprocess.Popen:
        """Start a server inside the network; ``close`` stops it."""
        kwargs.setdefault("start_new_session", True)
        process = subprocess.Popen(self.command(argv), **kwargs)
        self._processes.append(process)
        return process

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for process in reversed(self._processes):
            _stop(process)
        if self.mode == "netns":
            subprocess.run(["ip", "netns", "del", self.name], capture_output=True)
            subprocess.run(["ip", "link", "del", self.host_if], capture_output=True)

    def __enter__(self) -> Network:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, 15)  # the whole session: `ip netns exec` and what it runs
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=3)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, 9)
        except ProcessLookupError:
            pass
        process.wait(timeout=3)


def _free_index(taken: set[int]) -> int:
    for index in range(1, 250):
        if index not in taken:
            return index
    raise NetworkUnavailable("no free 10.201.N.0/24 subnet for a fleet namespace (250 in use)")


def _namespace() -> Network:
    with _allocation_lock():
        remove_stale_namespaces()
        links = _ip("-o", "link", "show")
        taken = {int(m.group(2)) for n in _existing_namespaces() if (m := _NAME.match(n))}
        taken |= {int(i) for i in re.findall(r"\bisf(\d+)h\b", links)}
        index = _free_index(taken)
        network = Network(mode="netns", index=index, name=f"{PREFIX}-{os.getpid()}-{index}")
        _ip("netns", "add", network.name)
        atexit.register(network.close)
        try:
            _ip("-batch", "-", input="\n".join([
                f"link add {network.host_if} type veth peer name {network.ns_if} netns {network.name}",
                f"addr add {network.address(1)}/24 dev {network.host_if}",
                f"addr add {network.address6(1)}/64 dev {network.host_if} nodad",
                f"link set {network.host_if} up",
            ]) + "\n")
            _ip("-n", network.name, "-batch", "-", input="\n".join([
                "link set lo up",
                f"link set {network.ns_if} up",
            ]) + "\n")
            subprocess.run(network.command(["sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0"]), capture_output=True)
        except Exception:
            network.close()
            raise
    return network


_loopback_networks = 0  # loopback networks made by this process: each gets its own N


def _loopback() -> Network:
    # 127.201.N.0/24 per network; N from the process id so that two sessions rarely collide
    # (and the next N for a second network of the same session), ports high enough to need
    # no privilege.
    global _loopback_networks
    index = (os.getpid() + 7 * _loopback_networks) % 250 + 1
    _loopback_networks += 1
    network = Network(mode="loopback", index=index,
                      ports=Ports(dns=5300 + index, smtp=2500 + index, http=8000 + index, https=9000 + index))
    atexit.register(network.close)
    return network


def create_network(*, loopback: bool | None = None) -> Network:
    """A namespace when allowed, else loopback (``network.reason`` says which and why)."""
    if loopback is None:
        loopback = not namespaces_allowed()
    return _loopback() if loopback else _namespace()

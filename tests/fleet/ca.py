"""The fleet's own certificate authority (trustme): server certificates for given names,
expired ones and ones for the wrong name, as PEM files that servers load; the CA
certificate is written to ``ca.pem`` for ``ScanConfig.ca_bundle``.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import trustme

#: The name on certificates issued "for the wrong name": no test domain is called this.
WRONG_NAME = "wrong-name.invalid"


@dataclass(frozen=True)
class ServerCert:
    names: tuple[str, ...]
    cert: Path  # the leaf certificate (PEM), the chain a server sends
    key: Path  # its private key (PEM)
    not_after: datetime

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context


class TestCA:
    """A local CA; ``issue`` writes a certificate and its key under ``directory``."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, directory: Path, name: str = "isoc test fleet CA"):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._ca = trustme.CA(organization_name=name)
        self.ca_pem = self.directory / "ca.pem"
        self._ca.cert_pem.write_to_path(str(self.ca_pem))
        self._count = 0

    def issue(self, *names: str, expired: bool = False, not_after: datetime | None = None,
              stem: str | None = None) -> ServerCert:
        """A server certificate for ``names`` (DNS names or IP addresses), valid now unless
        ``expired`` (then it ended yesterday)."""
        now = datetime.now(UTC)
        if expired:
            not_before, not_after = now - timedelta(days=90), now - timedelta(days=1)
        else:
            not_before, not_after = now - timedelta(days=1), not_after or now + timedelta(days=90)
        leaf = self._ca.issue_cert(*names, not_before=not_before, not_after=not_after)
        self._count += 1
        stem = stem or f"server{self._count}"
        cert, key = self.directory / f"{stem}.crt", self.directory / f"{stem}.key"
        leaf.cert_chain_pems[0].write_to_path(str(cert))
        leaf.private_key_pem.write_to_path(str(key))
        key.chmod(0o600)
        return ServerCert(names=tuple(names), cert=cert, key=key, not_after=not_after)

    def issue_wrong_name(self, stem: str | None = None) -> ServerCert:
        """Valid in every way except its name, which no test domain has."""
        return self.issue(WRONG_NAME, stem=stem)

    def client_context(self) -> ssl.SSLContext:
        """What a client that trusts this CA (and only it) uses."""
        return ssl.create_default_context(cafile=str(self.ca_pem))

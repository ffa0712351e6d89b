"""Helpers of the enablers tests: run the DNS and email probes of one domain."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime


def new_result(domain: str, config):
    from isoc.enablers.results import DomainResult

    return DomainResult(domain=domain, scanned_at=datetime.now(UTC), resolver=config.resolver_label)


def probe(domain: str, config, *, email: bool = True):
    """DNS (and email) probes of one domain, as the scanner runs them."""
    from isoc.enablers.probes_dns import DnsClient, probe_dns, probe_email

    result = new_result(domain, config)

    async def run():
        client = DnsClient(config)
        await probe_dns(domain, result, config, client)
        if email:
            await probe_email(domain, result, config, client)

    asyncio.run(run())
    return result

"""What each check is called on the pages and what it means (the methodology page)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

CHECK_LABELS = {
    "ipv6": _("IPv6"),
    "https": _("HTTPS"),
    "https_redirect": _("Redirect to HTTPS"),
    "certificate": _("Valid certificate"),
    "tls13": _("TLS 1.3"),
    "tls_legacy_off": _("No TLS 1.0/1.1"),
    "hsts": _("HSTS"),
    "http3": _("HTTP/3"),
    "dnssec": _("DNSSEC"),
    "caa": _("CAA"),
    "spf": _("SPF"),
    "dkim": _("DKIM"),
    "dmarc": _("DMARC enforced"),
    "mta_sts": _("MTA-STS"),
    "starttls": _("STARTTLS"),
}

CHECK_MEANINGS = {
    "ipv6": _("The site has an IPv6 address (AAAA) and answers HTTP(S) over it."),
    "https": _("A TLS handshake and an HTTP answer on port 443."),
    "https_redirect": _("A request over plain http:// is redirected to https://."),
    "certificate": _("The certificate chains to a trusted root, is within its validity period and names the site."),
    "tls13": _("The server offers TLS 1.3."),
    "tls_legacy_off": _("The server refuses the obsolete TLS 1.0 and 1.1."),
    "hsts": _("The HTTPS answer carries a valid Strict-Transport-Security header with a max-age above zero."),
    "http3": _("A QUIC handshake with ALPN h3 succeeds (HTTP/3)."),
    "dnssec": _("The zone is signed and validates from the root trust anchor (secure)."),
    "caa": _("CAA records say which certificate authorities may issue for the domain."),
    "spf": _("A valid SPF record ending in -all or ~all."),
    "dkim": _("A valid DKIM key at one of the selectors tried."),
    "dmarc": _("A DMARC policy of quarantine or reject applied to all mail."),
    "mta_sts": _("An MTA-STS policy in enforce mode."),
    "starttls": _("Every mail server tried offers STARTTLS and completes the handshake."),
}

METHOD_LABELS = {
    "global": pgettext_lazy("adoption figure", "World"),
    "cctld": _("by ccTLD"),
    "hosting": _("by hosting"),
}


def check_label(name: str) -> str:
    return str(CHECK_LABELS.get(name, name))

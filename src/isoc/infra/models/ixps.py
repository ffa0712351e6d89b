"""IXPs, their LANs and prefixes, members over time, and their sources.

One ``Ixp`` may be described by several sources (PeeringDB, PCH): each description is an
``IxpSource`` with the import run it came from and the raw fields. LANs and prefixes hang
off the source that listed them. A ``Membership`` is one stay of a network (ASN) on an
IXP as one source saw it: from the snapshot it first appeared in until the snapshot it was
last seen in, and ``left_on`` the first snapshot without it. A network that leaves and
comes back has two memberships."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from isoc.pulse.models import Country, Dataset, ImportRun

__all__ = ["Ixp", "IxpSource", "PeeringLan", "IxpPrefix", "Membership", "IxpEvent"]


class Ixp(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("IXP status", "Active")
        PLANNED = "planned", pgettext_lazy("IXP status", "Planned")
        DEFUNCT = "defunct", pgettext_lazy("IXP status", "Defunct")
        UNKNOWN = "unknown", pgettext_lazy("IXP status", "Unknown")

    class ManrsLink(models.TextChoices):
        STAFF = "staff", _("set by staff")
        NAME = "name", _("same name as the MANRS participant")
        WEBSITE = "website", _("same website as the MANRS participant")
        DEMO = "demo", _("demo data")

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    long_name = models.CharField(max_length=300, blank=True)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="ixps")
    city = models.CharField(max_length=120, blank=True)
    region = models.CharField(max_length=60, blank=True, help_text=_("As the source names it (a continent or region)."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UNKNOWN)
    website = models.CharField(max_length=500, blank=True)
    established = models.DateField(null=True, blank=True)
    manrs_participant = models.ForeignKey(
        "routing.ManrsParticipant", null=True, blank=True, on_delete=models.SET_NULL, related_name="ixps",
        limit_choices_to={"programme": "ixp"},
        help_text=_("The MANRS IXP programme participant that runs this exchange (set by staff or matched by name or website)."))
    manrs_link = models.CharField(max_length=10, blank=True, choices=ManrsLink.choices,
                                  help_text=_("Why the MANRS participant is linked."))
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["country__name", "name"]
        verbose_name = _("IXP")
        verbose_name_plural = _("IXPs")
        indexes = [models.Index(fields=["country", "status"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("infra:ixp", args=[self.slug])


class IxpSource(models.Model):
    """One source's record of an IXP, with where and when it was seen."""

    class Source(models.TextChoices):
        PEERINGDB = "peeringdb", "PeeringDB"
        PCH = "pch", "PCH"
        DEMO = "demo", pgettext_lazy("data source", "Demo")

    ixp = models.ForeignKey(Ixp, on_delete=models.CASCADE, related_name="sources")
    source = models.CharField(max_length=10, choices=Source.choices)
    source_id = models.CharField(max_length=40, help_text=_("The IXP's id in that source."))
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="ixp_records")
    import_run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   help_text=_("The run that last updated this record."))
    first_seen = models.DateField()
    last_seen = models.DateField()
    match_reason = models.CharField(max_length=300, blank=True, help_text=_("Why this record was joined to the IXP."))
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["source", "source_id"]
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="one_record_per_source_id")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.source_id}"


class PeeringLan(models.Model):
    record = models.ForeignKey(IxpSource, on_delete=models.CASCADE, related_name="lans")
    source_lan_id = models.CharField(max_length=40)
    name = models.CharField(max_length=200, blank=True)
    rs_asn = models.BigIntegerField(null=True, blank=True, help_text=_("The route server's AS number, where the source says."))

    class Meta:
        ordering = ["record", "source_lan_id"]
        constraints = [models.UniqueConstraint(fields=["record", "source_lan_id"], name="one_lan_per_record_id")]

    def __str__(self) -> str:
        return self.name or f"LAN {self.source_lan_id}"


def validate_prefix(value: str) -> None:
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    if str(net) != value:
        raise ValidationError(_("Write the prefix in its canonical form: %(form)s"), params={"form": str(net)})


class IxpPrefix(models.Model):
    lan = models.ForeignKey(PeeringLan, on_delete=models.CASCADE, related_name="prefixes")
    prefix = models.CharField(max_length=49, validators=[validate_prefix])
    version = models.PositiveSmallIntegerField(choices=[(4, "IPv4"), (6, "IPv6")])

    class Meta:
        ordering = ["version", "prefix"]
        constraints = [models.UniqueConstraint(fields=["lan", "prefix"], name="one_row_per_lan_prefix")]
        verbose_name_plural = _("IXP prefixes")

    def __str__(self) -> str:
        return self.prefix


class Membership(models.Model):
    """A network's stay on an IXP as one source saw it, snapshot by snapshot."""

    ixp = models.ForeignKey(Ixp, on_delete=models.CASCADE, related_name="memberships")
    record = models.ForeignKey(IxpSource, on_delete=models.CASCADE, related_name="memberships")
    asn = models.BigIntegerField(db_index=True)
    addresses = models.JSONField(default=list, blank=True, help_text=_("Its addresses on the peering LAN, where known."))
    organisation = models.CharField(max_length=200, blank=True)
    route_server_peer = models.BooleanField(null=True, blank=True, help_text=_("Empty: the source does not say."))
    first_seen = models.DateField()
    last_seen = models.DateField()
    left_on = models.DateField(null=True, blank=True, help_text=_("The first snapshot it was absent from."))

    class Meta:
        ordering = ["asn", "first_seen"]
        indexes = [models.Index(fields=["ixp", "left_on"]), models.Index(fields=["record", "asn"])]

    def __str__(self) -> str:
        return f"AS{self.asn} at {self.ixp_id}"


class IxpEvent(models.Model):
    """History of changes made to an IXP outside imports (a MANRS link set by staff, a merge)."""

    ixp = models.ForeignKey(Ixp, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    what = models.CharField(max_length=40)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ixp_id} {self.what}"

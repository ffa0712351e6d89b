"""Personal data in infrastructure (see isoc.site.personal_data): IXPs and community
networks are organisations and places; a person appears only as who recorded support or
a training, or who changed a network or an IXP (the history rows). Erasure sets those
to nobody; the records and their history stay."""

from __future__ import annotations

from isoc.site.personal_data import detach, not_personal

_ORG = "an organisation or its facilities, from public sources"

COVERS = {
    "infra.CommunityNetwork": not_personal("a community network; its operator is an organisation"),
    "infra.SupportReceived": detach("recorded_by", why="the provider is an organisation"),
    "infra.Training": detach("recorded_by", why="participants is a count"),
    "infra.NetworkEvent": detach("actor"),
    "infra.Ixp": not_personal(_ORG),
    "infra.PeeringLan": not_personal(_ORG),
    "infra.Membership": not_personal("a network's (ASN's) IXP membership, with its router addresses"),
    "infra.IxpEvent": detach("actor"),
}


def export(person) -> dict:
    return {}  # what they recorded or changed is listed under "acted_on"


def erase(person, actor) -> dict:
    return {}

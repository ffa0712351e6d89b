"""IXP state changes: importing a source's snapshot (with reconciliation and membership
history), and linking an IXP to its MANRS participation. Each is one transaction; an
import records a pulse ``ImportRun`` whatever happens, and a malformed file stores nothing.

History rules (one source, snapshots in date order):

- a member present in the snapshot: its open membership's ``last_seen`` moves to the
  snapshot date, or a new membership starts (``first_seen`` = the date);
- an open membership absent from a snapshot that has a member file: ``left_on`` = the date;
- the same snapshot imported again finds everything already so: nothing changes.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from isoc.infra import pch, peeringdb, reconcile_ixps
from isoc.infra.ixps_records import Snapshot, SourceIxp, normalise_name, parse_prefix
from isoc.infra.models.ixps import Ixp, IxpEvent, IxpPrefix, IxpSource, Membership, PeeringLan
from isoc.members.services import RuleViolation
from isoc.pulse.importing import MalformedFile, SourceInfo
from isoc.pulse.models import Country, Dataset, DataSource, ImportRun

IMPORTER_VERSION = "1"
SOURCES = {
    "peeringdb": SourceInfo(slug="peeringdb", name="PeeringDB", publisher="PeeringDB",
                            licence="PeeringDB Acceptable Use Policy", url="https://www.peeringdb.com/",
                            description="The PeeringDB database of networks, exchanges and facilities (API dump)."),
    "pch": SourceInfo(slug="pch-ixp-directory", name="PCH IXP directory", publisher="Packet Clearing House",
                      licence="As published by PCH", url="https://www.pch.net/ixp/dir",
                      description="Packet Clearing House's directory of Internet exchange points."),
    "demo": SourceInfo(slug="isoc-demo-ixps", name="Demo IXPs", publisher="isoc (generated)",
                       licence="Generated demo data", description="Generated IXPs and members: not real data."),
}
# Fields of an IXP taken from its records: PeeringDB's when it has one (kept up to date by
# the exchanges themselves), else PCH's.
PREFERRED = ("peeringdb", "pch", "demo")


@dataclass
class ImportSummary:
    source: str
    directory: str
    as_of: date | None = None
    outcome: str = ImportRun.Outcome.REJECTED
    ixps_read: int = 0
    ixps_created: int = 0
    ixps_matched: int = 0
    ixps_updated: int = 0
    members_read: int | None = None
    joined: int = 0
    left: int = 0
    earlier: int = 0  # stays found to have begun earlier (an older snapshot imported late)
    matches: list[dict] = field(default_factory=list)
    ambiguous: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: MalformedFile | None = None
    run_id: int | None = None
    dataset_slug: str = ""

    @property
    def changes(self) -> int:
        return self.ixps_created + self.ixps_matched + self.ixps_updated + self.joined + self.left + self.earlier

    def lines(self) -> list[str]:
        if self.error is not None:
            return [f"rejected, nothing stored — {self.error}"]
        out = [f"{self.source} snapshot of {self.as_of}: {self.outcome}",
               f"IXPs read {self.ixps_read}: new {self.ixps_created}, joined to the same IXP of another source "
               f"{self.ixps_matched}, updated {self.ixps_updated}, ambiguous (kept apart) {len(self.ambiguous)}"]
        if self.members_read is None:
            out.append("members: no member file in this snapshot (membership history unchanged)")
        else:
            out.append(f"members read {self.members_read}: joined {self.joined}, left {self.left}")
        out.append(f"rows left out {len(self.notes)}")
        return out


def parse(source: str, directory: str | Path, as_of: date | None = None) -> Snapshot:
    """Read a source's directory (no database). PCH needs ``as_of``: its files carry no date."""
    if source == "peeringdb":
        return peeringdb.parse_dir(directory)
    if source == "pch":
        if as_of is None:
            raise RuleViolation(_("The PCH export carries no date: give the day it describes (--as-of)."), field="as_of")
        return pch.parse_dir(directory, as_of)
    raise RuleViolation(_("Unknown IXP source %(source)s.") % {"source": source}, field="source")


def _digest(directory: Path, files: list[str]) -> str:
    h = hashlib.sha256()
    for name in files:
        path = directory / name
        if path.is_file():
            h.update(name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def import_directory(source: str, directory: str | Path, *, as_of: date | None = None, actor=None) -> ImportSummary:
    """Parse and store one snapshot of a source; always records an ImportRun. A malformed
    file gives a summary with ``error`` set and stores no IXP data."""
    directory = Path(directory)
    summary = ImportSummary(source=source, directory=str(directory))
    started = timezone.now()
    try:
        snapshot = parse(source, directory, as_of)
    except MalformedFile as exc:
        summary.error = exc
    except OSError as exc:
        summary.error = MalformedFile(directory, None, None, f"cannot read: {exc}")
    if summary.error is not None:
        run = ImportRun.objects.create(importer=f"ixps-{source}", importer_version=IMPORTER_VERSION,
                                       origin=str(directory)[:500], sha256="", started_at=started,
                                       finished_at=timezone.now(), outcome=ImportRun.Outcome.REJECTED,
                                       report={"file": str(directory), "error": summary.error.as_dict()}, actor=actor)
        summary.run_id = run.pk
        return summary
    summary = store_snapshot(snapshot, directory=directory, actor=actor, started=started, summary=summary)
    link_manrs_automatically()  # new IXPs may be MANRS participants already known to routing
    return summary


@transaction.atomic
def store_snapshot(snapshot: Snapshot, *, directory: Path, actor=None, started=None,
                   summary: ImportSummary | None = None) -> ImportSummary:
    """Store a parsed snapshot with its provenance, in one transaction."""
    summary = summary or ImportSummary(source=snapshot.source, directory=str(directory))
    summary.as_of = snapshot.as_of
    summary.ixps_read = len(snapshot.ixps)
    summary.members_read = None if snapshot.members is None else len(snapshot.members)
    summary.notes = [str(n) for n in snapshot.notes]
    info = SOURCES[snapshot.source]
    data_source, _ = DataSource.objects.get_or_create(slug=info.slug, defaults={
        "name": info.name, "publisher": info.publisher, "licence": info.licence, "url": info.url,
        "description": info.description})
    slug = f"{snapshot.source}-ixps-{snapshot.as_of.isoformat()}"
    digest = _digest(directory, snapshot.files)
    dataset, _ = Dataset.objects.update_or_create(slug=slug, defaults={
        "source": data_source, "title": f"{info.name}: IXPs, LANs and members as of {snapshot.as_of.isoformat()}",
        "kind": Dataset.Kind.REFERENCE, "origin": f"{directory.name}/ ({', '.join(snapshot.files)})"[:500],
        "sha256": digest, "importer": f"ixps-{snapshot.source}", "importer_version": IMPORTER_VERSION,
        "description": info.description, "is_demo": snapshot.source == "demo"})
    summary.dataset_slug = slug
    run = ImportRun.objects.create(dataset=dataset, importer=f"ixps-{snapshot.source}", importer_version=IMPORTER_VERSION,
                                   origin=str(directory)[:500], sha256=digest, started_at=started or timezone.now(),
                                   outcome=ImportRun.Outcome.APPLIED, actor=actor)
    records = _store_ixps(snapshot, dataset, run, summary)
    if snapshot.members is not None:
        _store_members(snapshot, records, summary)
    summary.outcome = ImportRun.Outcome.APPLIED if summary.changes else ImportRun.Outcome.UNCHANGED
    run.outcome = summary.outcome
    run.finished_at = timezone.now()
    run.rows_read = summary.ixps_read + (summary.members_read or 0)
    run.rows_stored = summary.changes
    run.rows_skipped = len(snapshot.notes)
    run.report = {"file": str(directory), "as_of": snapshot.as_of.isoformat(), "matches": summary.matches[:1000],
                  "ambiguous": summary.ambiguous, "skipped_count": len(summary.notes), "skipped": summary.notes[:1000],
                  "joined": summary.joined, "left": summary.left}
    run.save()
    summary.run_id = run.pk
    return summary


def _candidate_pool(source: str) -> list[reconcile_ixps.Candidate]:
    """IXPs known from another source and not yet from this one."""
    ixps = (Ixp.objects.filter(is_demo=False).exclude(sources__source=source)
            .prefetch_related("sources__lans__prefixes"))
    pool = []
    for ixp in ixps:
        names = [ixp.name, ixp.long_name]
        prefixes = []
        for record in ixp.sources.all():
            raw = record.raw or {}
            names += [str(raw.get("name", "")), str(raw.get("name_long", "")), str(raw.get("long_name", ""))]
            for lan in record.lans.all():
                names.append(lan.name)
                prefixes += [parse_prefix(p.prefix) for p in lan.prefixes.all()]
        pool.append(reconcile_ixps.Candidate(key=ixp.pk, country=ixp.country_id,
                                             names=reconcile_ixps.names_of(*names),
                                             city=normalise_name(ixp.city), prefixes=tuple(prefixes)))
    return pool


def _unique_slug(base: str, taken: set[str]) -> str:
    root = (slugify(base) or "ixp")[:100]
    slug, n = root, 2
    while slug in taken:
        slug, n = f"{root}-{n}", n + 1
    taken.add(slug)
    return slug


def _ixp_fields(s: SourceIxp) -> dict:
    return {"name": s.name, "long_name": s.long_name, "country_id": s.country, "city": s.city, "region": s.region,
            "status": s.status, "website": s.website, "established": s.established}


def _store_ixps(snapshot: Snapshot, dataset: Dataset, run: ImportRun, summary: ImportSummary) -> dict[str, IxpSource]:
    source = snapshot.source
    countries = set(Country.objects.values_list("code", flat=True))
    wanted = []
    for s in snapshot.ixps:
        if s.country not in countries:
            summary.notes.append(f"{s.source} {s.source_id}: country {s.country} is not in Pulse; left out")
        else:
            wanted.append(s)
    existing = {r.source_id: r for r in IxpSource.objects.filter(source=source).select_related("ixp")}
    fresh = [s for s in wanted if s.source_id not in existing]
    if source == "demo":  # demo IXPs are never joined to real ones
        fresh = []
    decision = reconcile_ixps.reconcile([reconcile_ixps.Candidate.of(s.source_id, s) for s in fresh],
                                        _candidate_pool(source)) if fresh else reconcile_ixps.Reconciliation()
    matched = decision.match_for()
    for a in decision.ambiguous:
        summary.ambiguous.append({"source_id": a.new, "candidates": [str(k) for k in a.existing], "reason": a.reason})
    taken = set(Ixp.objects.values_list("slug", flat=True))
    matched_ixps = Ixp.objects.in_bulk([m.existing for m in matched.values()])
    records: dict[str, IxpSource] = {}
    for s in wanted:
        record = existing.get(s.source_id)
        if record is None:
            m = matched.get(s.source_id)
            if m is not None:
                ixp, reason = matched_ixps[m.existing], m.reason
                summary.ixps_matched += 1
                summary.matches.append({"source_id": s.source_id, "ixp": ixp.slug, "rule": m.rule, "reason": m.reason})
            else:
                ixp = Ixp.objects.create(slug=_unique_slug(f"{s.name}-{s.country}", taken), is_demo=source == "demo",
                                         **_ixp_fields(s))
                reason = ""
                summary.ixps_created += 1
            record = IxpSource.objects.create(ixp=ixp, source=source, source_id=s.source_id, dataset=dataset,
                                              import_run=run, first_seen=snapshot.as_of, last_seen=snapshot.as_of,
                                              match_reason=reason, raw=s.raw)
            _sync_lans(record, s)
            _refresh_ixp(ixp, source, s)
        elif _update_record(record, s, snapshot.as_of, dataset, run):
            summary.ixps_updated += 1
        records[s.source_id] = record
    return records


def _update_record(record: IxpSource, s: SourceIxp, as_of: date, dataset: Dataset, run: ImportRun) -> bool:
    """Bring a known record up to this snapshot; True when anything changed. An older
    snapshot than the record's last only widens when it was seen."""
    changed = False
    if as_of < record.first_seen:
        record.first_seen, changed = as_of, True
    if as_of > record.last_seen:
        record.last_seen, record.raw, record.dataset, record.import_run = as_of, s.raw, dataset, run
        changed = True
    if as_of >= record.last_seen:
        changed |= _sync_lans(record, s)
        changed |= _refresh_ixp(record.ixp, record.source, s)
    if changed:
        record.save()
    return changed


def _sync_lans(record: IxpSource, s: SourceIxp) -> bool:
    changed = False
    lans = {lan.source_lan_id: lan for lan in record.lans.prefetch_related("prefixes")}
    for lan_in in s.lans:
        lan = lans.pop(lan_in.source_id, None)
        if lan is None:
            lan = PeeringLan.objects.create(record=record, source_lan_id=lan_in.source_id, name=lan_in.name[:200],
                                            rs_asn=lan_in.rs_asn)
            have = {}
            changed = True
        else:
            if (lan.name, lan.rs_asn) != (lan_in.name[:200], lan_in.rs_asn):
                lan.name, lan.rs_asn = lan_in.name[:200], lan_in.rs_asn
                lan.save()
                changed = True
            have = {p.prefix: p for p in lan.prefixes.all()}
        want = {str(p): p for p in lan_in.prefixes}
        for text in set(have) - set(want):
            have[text].delete()
            changed = True
        new = [IxpPrefix(lan=lan, prefix=text, version=p.version) for text, p in want.items() if text not in have]
        if new:
            IxpPrefix.objects.bulk_create(new)
            changed = True
    for lan in lans.values():
        lan.delete()
        changed = True
    return changed


def _refresh_ixp(ixp: Ixp, source: str, s: SourceIxp) -> bool:
    """The IXP's own fields follow its preferred source's record."""
    sources = set(ixp.sources.values_list("source", flat=True)) | {source}
    preferred = next(p for p in PREFERRED if p in sources)
    if preferred != source:
        return False
    fields = _ixp_fields(s)
    changed = [k for k, v in fields.items() if getattr(ixp, k) != v]
    for k in changed:
        setattr(ixp, k, fields[k])
    if changed:
        ixp.save(update_fields=changed)
    return bool(changed)


def _store_members(snapshot: Snapshot, records: dict[str, IxpSource], summary: ImportSummary) -> None:
    as_of = snapshot.as_of
    present: dict[int, dict[int, object]] = defaultdict(dict)  # record pk → asn → SourceMember
    for m in snapshot.members or []:
        record = records.get(m.ixp_source_id)
        if record is not None:
            present[record.pk][m.asn] = m
    stays: dict[tuple[int, int], list[Membership]] = defaultdict(list)
    asns_of: dict[int, set[int]] = defaultdict(set)  # record pk → ASNs with any stay
    for stay in Membership.objects.filter(record__in=list(records.values())):
        stays[(stay.record_id, stay.asn)].append(stay)
        asns_of[stay.record_id].add(stay.asn)
    new = []
    for record in records.values():
        seen = present.get(record.pk, {})
        for asn, m in seen.items():
            covering = [st for st in stays.get((record.pk, asn), [])
                        if st.first_seen <= as_of and (st.left_on is None or as_of < st.left_on)]
            if covering:
                st = covering[0]
                if as_of > st.last_seen:
                    st.last_seen = as_of
                    st.addresses, st.organisation = list(m.addresses), m.organisation
                    st.route_server_peer = m.route_server_peer
                    st.save()
                continue
            following = [st for st in stays.get((record.pk, asn), []) if st.first_seen > as_of]
            if following:  # an older snapshot: the stay that starts next began earlier than we knew
                st = min(following, key=lambda x: x.first_seen)
                st.first_seen = as_of
                st.save(update_fields=["first_seen"])
                summary.earlier += 1
                continue
            new.append(Membership(ixp_id=record.ixp_id, record=record, asn=asn, addresses=list(m.addresses),
                                  organisation=m.organisation, route_server_peer=m.route_server_peer,
                                  first_seen=as_of, last_seen=as_of))
        for asn in asns_of.get(record.pk, set()) - set(seen):
            for st in stays[(record.pk, asn)]:
                if st.left_on is None and st.last_seen < as_of:
                    st.left_on = as_of
                    st.save(update_fields=["left_on"])
                    summary.left += 1
    Membership.objects.bulk_create(new, batch_size=1000)
    summary.joined += len(new)


# --- MANRS -----------------------------------------------------------------------------


def _host(url: str) -> str:
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


@transaction.atomic
def link_manrs_automatically() -> int:
    """Link IXPs without a MANRS participant to the participant of the IXP programme whose
    normalised name equals the IXP's name or long name, or whose website host is the
    IXP's, when exactly one does. Returns how many links were made."""
    from isoc.routing.models import ManrsParticipant

    participants = list(ManrsParticipant.objects.filter(programme=ManrsParticipant.Programme.IXP))
    by_name, by_host = defaultdict(list), defaultdict(list)
    for p in participants:
        by_name[normalise_name(p.name)].append(p)
        if _host(p.website):
            by_host[_host(p.website)].append(p)
    made = 0
    for ixp in Ixp.objects.filter(manrs_participant__isnull=True):
        hits = {p.pk: (p, "name") for n in {normalise_name(ixp.name), normalise_name(ixp.long_name)} - {""}
                for p in by_name.get(n, [])}
        host = _host(ixp.website)
        if not hits and host:
            hits = {p.pk: (p, "website") for p in by_host.get(host, [])}
        if len(hits) == 1:
            ((p, how),) = hits.values()
            ixp.manrs_participant = p
            ixp.manrs_link = Ixp.ManrsLink.NAME if how == "name" else Ixp.ManrsLink.WEBSITE
            ixp.save(update_fields=["manrs_participant", "manrs_link"])
            IxpEvent.objects.create(ixp=ixp, what="manrs-linked", note=f"same {how} as “{p.name}”"[:500])
            made += 1
    return made


@transaction.atomic
def set_manrs_participant(ixp: Ixp, participant, *, actor=None) -> Ixp:
    """Staff link (or unlink, with None) an IXP and a MANRS IXP-programme participant."""
    from isoc.routing.models import ManrsParticipant

    ixp = Ixp.objects.select_for_update().get(pk=ixp.pk)
    if participant is not None and participant.programme != ManrsParticipant.Programme.IXP:
        raise RuleViolation(_("Only a participant of the MANRS IXP programme can be linked to an IXP."),
                            field="manrs_participant")
    before = ixp.manrs_participant
    ixp.manrs_participant = participant
    ixp.manrs_link = Ixp.ManrsLink.STAFF if participant is not None else ""
    ixp.save(update_fields=["manrs_participant", "manrs_link"])
    IxpEvent.objects.create(ixp=ixp, actor=actor, what="manrs-set" if participant else "manrs-unset",
                            note=f"{before or '—'} → {participant or '—'}"[:500])
    return ixp


def members_q(on: date) -> Q:
    """Memberships current on a day."""
    return Q(first_seen__lte=on) & (Q(left_on__isnull=True) | Q(left_on__gt=on))

"""Reference data for Pulse: every ISO 3166-1 country with its UN M49 and Internet
Society regions (see ``isoc.pulse.regions``). Used by migration 0002 and, in tests, after
a transactional test empties the tables. Idempotent: running it again changes nothing
unless pycountry or the region table changed; staff translations of region names stay."""

from __future__ import annotations

from isoc.pulse import regions as r


def region_rows() -> list[tuple[str, str, str]]:
    """(slug, name, kind) of every region Pulse knows."""
    rows = [(f"isoc-{slug}", name, "isoc") for slug, name in r.ISOC_REGIONS.items()]
    rows += [(f"m49-{code}", name, "m49-region") for code, name in r.M49_REGIONS.items()]
    rows += [(f"m49-{code}", name, "m49-subregion") for code, (name, _reg, _m) in r.M49_SUBREGIONS.items()]
    return rows


def seed_countries(apps=None, schema_editor=None) -> int:
    """Create or update the regions and countries; return how many rows changed."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Region = apps.get_model("pulse", "Region")
    Country = apps.get_model("pulse", "Country")
    infos = r.countries()
    wanted_regions = region_rows()
    if (Country.objects.count() == len(infos) and Region.objects.filter(
            slug__in=[s for s, _n, _k in wanted_regions]).count() == len(wanted_regions)):
        # Already seeded (the common case, run before every test): check cheaply.
        return 0
    changed = 0
    existing = {reg.slug: reg for reg in Region.objects.all()}
    for slug, name, kind in wanted_regions:
        reg = existing.get(slug)
        if reg is None:
            existing[slug] = Region.objects.create(slug=slug, name=name, kind=kind)
            changed += 1
        elif (reg.name, reg.kind) != (name, kind):
            reg.name, reg.kind = name, kind
            reg.save(update_fields=["name", "kind"])
            changed += 1
    have = {c.code: c for c in Country.objects.all()}
    for info in infos:
        fields = {
            "alpha3": info.alpha3, "numeric": info.numeric, "name": info.name,
            "isoc_region_id": existing[f"isoc-{info.isoc_region}"].pk if info.isoc_region else None,
            "m49_region_id": existing[f"m49-{info.m49_region}"].pk if info.m49_region else None,
            "m49_subregion_id": existing[f"m49-{info.m49_subregion}"].pk if info.m49_subregion else None,
        }
        row = have.get(info.code)
        if row is None:
            Country.objects.create(code=info.code, **fields)
            changed += 1
        elif any(getattr(row, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(row, k, v)
            row.save()
            changed += 1
    return changed

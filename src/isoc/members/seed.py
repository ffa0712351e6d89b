"""Reference data a site needs: roles with their permissions, the six organization
tiers, the sustaining dues. Used by migration 0002 and, in tests, after a transactional
test empties the tables. Idempotent: it never overwrites what staff changed."""

from datetime import UTC
from decimal import Decimal

TIERS = [
    # slug, name, rank (1 = lowest), annual fee in USD
    ("small-business", "Small Business", 1, Decimal("1000.00")),
    ("associate", "Associate", 2, Decimal("3500.00")),
    ("silver", "Silver", 3, Decimal("10000.00")),
    ("gold", "Gold", 4, Decimal("25000.00")),
    ("diamond", "Diamond", 5, Decimal("50000.00")),
    ("platinum", "Platinum", 6, Decimal("100000.00")),
]

STAFF_APPS = ("pulse", "shutdowns", "routing", "enablers", "chapters", "events", "elections", "trust",
              "iwn", "infra")

ROLE_PERMISSIONS = {
    "member": [],
    "chapter officer": [],
    # The secretariat: runs memberships and the ledger, cannot change roles or delete.
    "staff": [
        "view_person", "change_person",
        "view_individualmembership", "change_individualmembership",
        "view_membershipterm", "view_membershipevent",
        "view_invoice", "view_payment", "add_payment", "view_creditnote", "add_creditnote",
        "view_organization", "change_organization", "view_organizationcontact", "add_organizationcontact",
        "change_organizationcontact", "delete_organizationcontact", "view_organizationterm",
        "view_organizationtier", "change_organizationtier", "view_duesrate", "add_duesrate",
        "view_apitoken",
    ],
    "administrator": "__all__",
}


def seed(apps=None, schema_editor=None) -> None:
    from django.contrib.auth.management import create_permissions

    if apps is None:
        from django.apps import apps

        for app_config in apps.get_app_configs():
            create_permissions(app_config, verbosity=0)
    else:
        # Inside a migration permissions do not exist yet (they are made after all
        # migrations run); make them now so the roles can be given theirs.
        for app_config in apps.get_app_configs():
            app_config.models_module = True
            create_permissions(app_config, verbosity=0)
            app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        if codenames == "__all__":
            group.permissions.set(Permission.objects.all())
        else:
            perms = Permission.objects.filter(content_type__app_label="members", codename__in=codenames)
            if name == "staff":
                # The secretariat also runs Pulse: sources, datasets, stories, the shutdown
                # tracker and detections. It adds and changes; deleting stays with admins.
                perms = perms | Permission.objects.filter(
                    content_type__app_label__in=STAFF_APPS, codename__regex=r"^(view|add|change)_"
                )
            group.permissions.set(perms)

    Tier = apps.get_model("members", "OrganizationTier")
    for slug, name, rank, fee in TIERS:
        Tier.objects.get_or_create(slug=slug, defaults={"name": name, "rank": rank, "annual_fee": fee, "currency": "USD"})

    DuesRate = apps.get_model("members", "DuesRate")
    if not DuesRate.objects.exists():
        from datetime import datetime

        DuesRate.objects.create(category="sustaining", amount=Decimal("50.00"), currency="USD",
                                effective_from=datetime(2000, 1, 1, tzinfo=UTC))



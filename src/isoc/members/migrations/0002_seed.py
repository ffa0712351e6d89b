"""Seed what a new site needs: roles, the six organization tiers, the sustaining dues.
Staff rename tiers and change fees afterwards; this runs once."""

from decimal import Decimal

from django.db import migrations

TIERS = [
    # slug, name, rank (1 = lowest), annual fee in USD
    ("small-business", "Small Business", 1, Decimal("1000.00")),
    ("associate", "Associate", 2, Decimal("3500.00")),
    ("silver", "Silver", 3, Decimal("10000.00")),
    ("gold", "Gold", 4, Decimal("25000.00")),
    ("diamond", "Diamond", 5, Decimal("50000.00")),
    ("platinum", "Platinum", 6, Decimal("100000.00")),
]

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


def seed(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

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
            group.permissions.set(Permission.objects.filter(content_type__app_label="members", codename__in=codenames))

    Tier = apps.get_model("members", "OrganizationTier")
    for slug, name, rank, fee in TIERS:
        Tier.objects.get_or_create(slug=slug, defaults={"name": name, "rank": rank, "annual_fee": fee, "currency": "USD"})

    DuesRate = apps.get_model("members", "DuesRate")
    if not DuesRate.objects.exists():
        from datetime import datetime, timezone

        DuesRate.objects.create(category="sustaining", amount=Decimal("50.00"), currency="USD",
                                effective_from=datetime(2000, 1, 1, tzinfo=timezone.utc))


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

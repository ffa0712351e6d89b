"""Give the secretariat (staff role) the trust permissions (audited organizations, sectors,
adjustments; audits and scorecards come from `isoc trust audit`)."""

from django.db import migrations

from isoc.members.seed import seed as seed_roles


class Migration(migrations.Migration):
    dependencies = [
        ("trust", "0001_initial"),
    ]
    operations = [
        migrations.RunPython(seed_roles, migrations.RunPython.noop),
    ]

"""Give the secretariat (staff role) the elections permissions."""

from django.db import migrations

from isoc.members.seed import seed as seed_roles


class Migration(migrations.Migration):
    dependencies = [
        ("elections", "0002_seed"),
    ]
    operations = [
        migrations.RunPython(seed_roles, migrations.RunPython.noop),
    ]

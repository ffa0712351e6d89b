"""Give the secretariat (staff role) the events permissions."""

from django.db import migrations

from isoc.members.seed import seed as seed_roles


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
    ]
    operations = [
        migrations.RunPython(seed_roles, migrations.RunPython.noop),
    ]

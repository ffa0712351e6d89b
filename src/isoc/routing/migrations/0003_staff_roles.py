"""Give the secretariat (staff role) the routing permissions (networks' contacts, MANRS
participants; snapshots, incidents and scores are read-only in the admin)."""

from django.db import migrations

from isoc.members.seed import seed as seed_roles


class Migration(migrations.Migration):
    dependencies = [
        ("routing", "0002_score_help_texts"),
    ]
    operations = [
        migrations.RunPython(seed_roles, migrations.RunPython.noop),
    ]

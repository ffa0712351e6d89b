"""Give the secretariat (staff role) the enablers permissions (scans, summaries and figures
are read-only in the admin: they come from the scanner's files)."""

from django.db import migrations

from isoc.members.seed import seed as seed_roles


class Migration(migrations.Migration):
    dependencies = [
        ("enablers", "0001_initial"),
    ]
    operations = [
        migrations.RunPython(seed_roles, migrations.RunPython.noop),
    ]

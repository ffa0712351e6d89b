"""Give the secretariat (staff role) the impact assessment permissions: it sees saved
assessments and their history in the admin (deleting stays with administrators)."""

from django.db import migrations

from isoc.members.seed import seed as seed_roles


class Migration(migrations.Migration):
    dependencies = [
        ("iwn", "0001_initial"),
        ("members", "0005_staff_runs_pulse"),
    ]
    operations = [
        migrations.RunPython(seed_roles, migrations.RunPython.noop),
    ]

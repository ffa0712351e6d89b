"""Give the secretariat (staff role) the IXP and community network permissions: it
links IXPs to MANRS and looks after the registry in the admin (deleting stays with
administrators, except where the admin allows staff to remove a bogus entry)."""

from django.db import migrations

from isoc.members.seed import seed as seed_roles


class Migration(migrations.Migration):
    dependencies = [
        ("infra", "0001_initial"),
        ("iwn", "0002_staff_roles"),
        ("members", "0005_staff_runs_pulse"),
    ]
    operations = [
        migrations.RunPython(seed_roles, migrations.RunPython.noop),
    ]

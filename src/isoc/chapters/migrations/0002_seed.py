"""Seed the regional bureaus, the standards and the two standing groups; give the
secretariat (staff role) the chapters permissions."""

from django.db import migrations

from isoc.chapters.seed import seed
from isoc.members.seed import seed as seed_roles


class Migration(migrations.Migration):
    dependencies = [
        ("chapters", "0001_initial"),
        ("members", "0005_staff_runs_pulse"),
    ]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(seed_roles, migrations.RunPython.noop),
    ]

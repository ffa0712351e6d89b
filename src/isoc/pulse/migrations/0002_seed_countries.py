"""Seed every ISO 3166-1 country with its UN M49 and Internet Society regions
(see isoc.pulse.seed)."""

from django.db import migrations

from isoc.pulse.seed import seed_countries


class Migration(migrations.Migration):
    dependencies = [("pulse", "0001_initial")]
    operations = [migrations.RunPython(seed_countries, migrations.RunPython.noop)]

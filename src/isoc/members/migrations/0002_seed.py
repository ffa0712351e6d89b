"""Seed roles, the six organization tiers and the sustaining dues (see isoc.members.seed)."""

from django.db import migrations

from isoc.members.seed import seed

class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

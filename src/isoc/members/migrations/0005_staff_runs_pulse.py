"""Give the secretariat (staff role) the Pulse and shutdowns permissions."""

from django.db import migrations

from isoc.members.seed import seed


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_translations"),
        ("pulse", "0003_story_approved"),
        ("shutdowns", "0001_initial"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

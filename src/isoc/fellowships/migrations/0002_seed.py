from django.db import migrations


def seed(apps, schema_editor):
    from isoc.fellowships.seed import seed as seed_programmes

    seed_programmes(apps)


class Migration(migrations.Migration):
    dependencies = [("fellowships", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

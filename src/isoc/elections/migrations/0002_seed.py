from django.db import migrations


def forwards(apps, schema_editor):
    from isoc.elections.seed import seed

    seed(apps)


class Migration(migrations.Migration):
    dependencies = [("elections", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

"""The member directory's name search on PostgreSQL: trigram indexes on the upper-cased
first and last names, which ``icontains`` compares (``UPPER(name) LIKE UPPER('%word%')``).
Without them a search walks every listed member in name order: 1.6 s for a page of a
common name among a million people (bench/RESULTS.md). SQLite has no trigram indexes and
scans, as before."""

from django.db import migrations

INDEXES = (
    ("person_first_name_trgm_idx", "first_name"),
    ("person_last_name_trgm_idx", "last_name"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON members_person USING gin ((UPPER("{column}"::text)) gin_trgm_ops) '
            "WHERE directory_listed")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("members", "0006_erasure")]
    operations = [migrations.RunPython(create, drop)]

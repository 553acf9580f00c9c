"""Make the database itself refuse UPDATE and DELETE on demand events."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER demand_event_no_update BEFORE UPDATE ON demands_demandevent
       BEGIN SELECT RAISE(ABORT, 'demand events are append-only'); END""",
    """CREATE TRIGGER demand_event_no_delete BEFORE DELETE ON demands_demandevent
       BEGIN SELECT RAISE(ABORT, 'demand events are append-only'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER demand_event_no_update", "DROP TRIGGER demand_event_no_delete"]

POSTGRESQL = [
    """CREATE FUNCTION demand_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'demand events are append-only'; END $$""",
    """CREATE TRIGGER demand_event_append_only BEFORE UPDATE OR DELETE ON demands_demandevent
       FOR EACH ROW EXECUTE FUNCTION demand_event_append_only()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER demand_event_append_only ON demands_demandevent",
    "DROP FUNCTION demand_event_append_only()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("demands", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        )
    ]

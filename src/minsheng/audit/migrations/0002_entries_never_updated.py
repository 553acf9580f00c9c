"""Make the database itself refuse UPDATE on audit entries (the retention purge deletes; nothing
ever rewrites an entry)."""

from django.db import migrations

SQLITE = ["""CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
             BEGIN SELECT RAISE(ABORT, 'audit entries are never changed'); END"""]
SQLITE_REVERSE = ["DROP TRIGGER audit_entry_no_update"]
POSTGRESQL = [
    """CREATE FUNCTION audit_entry_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit entries are never changed'; END $$""",
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
       FOR EACH ROW EXECUTE FUNCTION audit_entry_no_update()""",
]
POSTGRESQL_REVERSE = ["DROP TRIGGER audit_entry_no_update ON audit_auditentry",
                      "DROP FUNCTION audit_entry_no_update()"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_log")]

    operations = [
        migrations.RunPython(_run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
                             _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}))
    ]

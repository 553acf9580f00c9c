"""The full-text index of demands, in the database's own structure: an FTS5 virtual table on
SQLite, a table with a tsvector under a GIN index on PostgreSQL (models.py says why).  The
demands that exist already are indexed here."""

import django.db.models.deletion
from django.db import migrations, models

import minsheng.search.models

SQLITE = ("CREATE VIRTUAL TABLE search_demand USING fts5(document, tokenize = 'ascii')",
          "DROP TABLE search_demand")
POSTGRESQL = ("CREATE TABLE search_demand (rowid bigint PRIMARY KEY REFERENCES demands_demand (id) "
              "ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED, document tsvector NOT NULL); "
              "CREATE INDEX search_demand_document ON search_demand USING gin (document)",
              "DROP TABLE search_demand")


def create(apps, schema_editor):
    forward, _backward = POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE
    schema_editor.execute(forward)
    from minsheng.search.index import rebuild

    rebuild()


def drop(apps, schema_editor):
    _forward, backward = POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE
    schema_editor.execute(backward)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("demands", "0009_state_resolved_index"),
        ("organisation", "0001_initial"),
        ("catalogue", "0004_default_service_attributes"),
    ]

    # Django's state has the model as a managed one, so that a test's flush empties the index with
    # the demands (TRUNCATE of both on PostgreSQL, DELETE on SQLite); the database has the table
    # the vendor needs, created here and not by CreateModel.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DemandDocument",
                    fields=[
                        ("demand", models.OneToOneField(db_column="rowid", db_constraint=False,
                                                        on_delete=django.db.models.deletion.DO_NOTHING,
                                                        primary_key=True, related_name="search_document",
                                                        serialize=False, to="demands.demand",
                                                        verbose_name="诉求")),
                        ("document", minsheng.search.models.DocumentField(verbose_name="检索词")),
                    ],
                    options={
                        "verbose_name": "诉求检索文档",
                        "verbose_name_plural": "诉求检索文档",
                        "db_table": "search_demand",
                    },
                ),
            ],
            database_operations=[migrations.RunPython(create, drop)],
        ),
    ]

from django.db import migrations, models


def first_row(apps, schema_editor):
    apps.get_model("core", "ConfigVersion").objects.using(schema_editor.connection.alias).create(pk=1, value=0)


class Migration(migrations.Migration):

    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="ConfigVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("value", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(first_row, migrations.RunPython.noop),
    ]

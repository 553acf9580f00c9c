from django.db import migrations


def load(apps, schema_editor):
    from minsheng.catalogue.defaults import load_service_attributes

    load_service_attributes(apps)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0003_service_attributes")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

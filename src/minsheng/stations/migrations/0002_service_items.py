from django.db import migrations


def load(apps, schema_editor):
    from minsheng.stations.defaults import load_service_items

    load_service_items(apps)


class Migration(migrations.Migration):
    dependencies = [("stations", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

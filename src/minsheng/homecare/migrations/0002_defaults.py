from django.db import migrations


def load(apps, schema_editor):
    from minsheng.homecare.defaults import load_defaults

    load_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [("homecare", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

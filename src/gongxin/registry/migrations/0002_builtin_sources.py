from django.db import migrations

from gongxin.registry.choices import BUILTIN_SOURCES


def create_builtin_sources(apps, schema_editor):
    ListSource = apps.get_model("registry", "ListSource")
    for code, name, publisher, basis in BUILTIN_SOURCES:
        ListSource.objects.update_or_create(
            code=code,
            defaults={"name": name, "publisher": publisher, "legal_basis": basis, "builtin": True},
        )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(create_builtin_sources, migrations.RunPython.noop)]

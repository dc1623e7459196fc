"""The personal-data categories the third-party API answers (reference data)."""

from django.db import migrations

CATEGORIES = (
    ("basic", "基本身份信息", 2),
    ("insurance", "参保信息", 1),
    ("chronic", "门诊慢特病认定", 3),
    ("filing", "异地就医备案", 1),
    ("settlements", "就医结算记录", 3),
)


def load(apps, schema_editor):
    model = apps.get_model("services", "DataCategory")
    for code, name, sensitivity in CATEGORIES:
        model.objects.update_or_create(code=code, defaults={"name": name, "sensitivity": sensitivity})


def unload(apps, schema_editor):
    apps.get_model("services", "DataCategory").objects.filter(
        code__in=[code for code, _name, _level in CATEGORIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]

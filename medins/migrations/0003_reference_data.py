"""Load the ICD-10 categories and Shandong's divisions from medins/data/ (idempotent, reversible)."""

from django.db import migrations

from medins import data


def load(apps, schema_editor):
    data.load_icd10_categories(apps.get_model("medins", "Icd10Category"))
    data.load_divisions(apps.get_model("medins", "Division"))


def unload(apps, schema_editor):
    data.unload_divisions(apps.get_model("medins", "Division"))
    data.unload_icd10_categories(apps.get_model("medins", "Icd10Category"))


class Migration(migrations.Migration):

    dependencies = [
        ("medins", "0002_profiles_and_reveals"),
    ]

    operations = [
        migrations.RunPython(load, unload),
    ]

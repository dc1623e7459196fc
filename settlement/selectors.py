"""Reads of the settlement app: import records and the rows an export writes."""

from __future__ import annotations

from django.apps import apps
from django.db.models import Exists, OuterRef, QuerySet

from medins.interchange import FileSpec
from settlement.models import ImportBatch, Settlement

# How an export for one institution reaches each file's rows from that institution's code.
_INSTITUTION_PATHS = {
    "institutions": "code",
    "practitioners": "institution_id",
    "settlements": "institution_id",
    "diagnoses": "settlement__institution_id",
    "fee_details": "institution_id",
    "bed_checks": "settlement__institution_id",
}


def import_batch_get(*, import_batch_id: int) -> ImportBatch:
    """The import record; raises ImportBatch.DoesNotExist."""
    return ImportBatch.objects.select_related("institution").get(pk=import_batch_id)


def export_rows(spec: FileSpec, *, institution_code: str | None = None) -> QuerySet:
    """The stored rows of one file as tuples of its fields in column order, by key.

    The catalog gives its current versions. For one institution: its own rows, the persons it
    treated, and the shared registries (divisions, catalog) whole.
    """
    model = apps.get_model(spec.model)
    rows = model.objects.all()
    if spec.name == "catalog":
        rows = rows.filter(effective_to__isnull=True)
    if institution_code and spec.name in _INSTITUTION_PATHS:
        rows = rows.filter(**{_INSTITUTION_PATHS[spec.name]: institution_code})
    if institution_code and spec.name == "persons":
        treated = Settlement.objects.filter(person=OuterRef("pk"), institution_id=institution_code)
        rows = rows.filter(Exists(treated))
    key_fields = [spec.column(name).field for name in spec.key]
    fields = [column.field for column in spec.columns]
    return rows.order_by(*key_fields).values_list(*fields)

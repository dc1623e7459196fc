"""RowInsertedJSONField: bulk inserts as plain rows, documents stored as they were."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from settlement.models import PrecheckRecord
from tests.factories import InstitutionFactory, PersonFactory, shanghai

DOCUMENTS = [
    {"fee_details": [{"feedetl_sn": 'L"1\\', "name": "青霉素 {注射}"}], "n": 1},
    {"fee_details": [], "note": 'it\'s\n"quoted"'},
    [1, "two", None, {"three": 3.5}],
]


@pytest.mark.django_db
def test_bulk_inserts_are_plain_rows_and_keep_every_document():
    institution, person = InstitutionFactory(), PersonFactory()
    records = [
        PrecheckRecord(
            task_id=f"T{number}",
            institution=institution,
            encounter_id=f"MD{number}",
            person=person,
            request=document,
            checked_at=shanghai(2026, 3, 1, 9),
        )
        for number, document in enumerate(DOCUMENTS)
    ]

    with CaptureQueriesContext(connection) as queries:
        PrecheckRecord.objects.bulk_create(records)

    [insert] = [query["sql"] for query in queries if query["sql"].startswith("INSERT")]
    assert "UNNEST" not in insert.upper()
    stored = dict(PrecheckRecord.objects.values_list("task_id", "request"))
    assert stored == {f"T{number}": document for number, document in enumerate(DOCUMENTS)}

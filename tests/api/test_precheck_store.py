"""Rows stored by insert_together's one statement: the pre-check's records and violations,
a submission's settlement and its rows."""

from __future__ import annotations

from decimal import Decimal

from medins.inserts import insert_together
from settlement.models import (
    Diagnosis,
    PrecheckRecord,
    PrecheckViolation,
    SettlementBreakdown,
)
from tests.factories import InstitutionFactory, PersonFactory, SettlementFactory, shanghai

DOCUMENTS = [
    {"fee_details": [{"feedetl_sn": 'L"1\\', "name": "青霉素 {注射}\t"}], "n": 1},
    {"fee_details": [], "note": 'it\'s\n"quoted", \\N'},
    [1, "two", None, {"three": 3.5}],
]


def test_rows_are_stored_as_given(db):
    institution, person = InstitutionFactory(), PersonFactory()
    records = [
        PrecheckRecord(
            task_id=f"T{number}",
            institution=institution,
            encounter_id=f"MD{number}",
            person=person,
            trigger="3" if number else "",
            request=document,
            checked_at=shanghai(2026, 3, 1, 9, number),
            violation_count=number,
        )
        for number, document in enumerate(DOCUMENTS)
    ]
    violation = PrecheckViolation(
        jr_id="T1-001",
        precheck=records[1],
        rule_code="OVER_PRICE",
        rule_name="超限价",
        content="项目【X】单价超过医保限价",
        amount=Decimal("12.34"),
        sev_deg=1,
        evidence='{"pric_yuan": 12.5, "note": "a\\\\b"}',
        lines=[{"feedetl_sn": "L1", "vola_amt": "12.34"}],
    )

    insert_together(records[:2], [violation])  # the violation refers to records[1]
    insert_together(records[2:], [])
    insert_together([], [])

    stored = {record.task_id: record for record in PrecheckRecord.objects.all()}
    for record in records:
        again = stored[record.task_id]
        fields = ("request", "trigger", "checked_at", "violation_count", "person_id")
        assert [getattr(again, name) for name in fields] == [
            getattr(record, name) for name in fields
        ]
    again = PrecheckViolation.objects.get()
    fields = ("precheck_id", "rule_name", "content", "amount", "evidence", "lines", "sev_deg")
    assert [getattr(again, name) for name in fields] == [
        getattr(violation, name) for name in fields
    ]


def test_rows_get_the_keys_the_database_makes(db):
    settlement = SettlementFactory.build(person=PersonFactory(), institution=InstitutionFactory())
    diagnoses = [
        Diagnosis(settlement=settlement, rank=rank, code=code)
        for rank, code in ((1, "J06.900"), (2, "I10.x00"), (3, "E11.900"))
    ]
    breakdown = SettlementBreakdown(settlement=settlement, amounts={"hifp_pay": "1.00"})

    insert_together([settlement], diagnoses, [breakdown])

    stored = {row.pk: (row.rank, row.code) for row in Diagnosis.objects.all()}
    assert stored == {row.pk: (row.rank, row.code) for row in diagnoses}
    assert SettlementBreakdown.objects.get().pk == breakdown.pk
    assert not any(row._state.adding for row in [settlement, breakdown, *diagnoses])

"""CompiledValues: a .values() query compiled once gives what the queryset itself gives."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from settlement.compiled import CompiledList, CompiledValues, counted
from settlement.models import FeeLine, Settlement
from tests.factories import FeeLineFactory, SettlementFactory


def _lines(setl_id: str):
    return FeeLine.objects.filter(settlement_id=setl_id).order_by("line_id").values()


LINES = CompiledValues(_lines, "setl_id")


@pytest.mark.django_db
class TestCompiledValues:
    def test_rows_are_the_querysets_for_each_parameter(self):
        settlement = SettlementFactory()
        FeeLineFactory(settlement=settlement, amount=Decimal("-3.50"), supply_days=None)
        FeeLineFactory(settlement=settlement, supply_days=7)
        other = SettlementFactory()
        FeeLineFactory(settlement=other)

        for setl_id in (settlement.setl_id, other.setl_id, "NONE"):
            assert LINES.rows(setl_id=setl_id) == list(_lines(setl_id))

    def test_converted_values_keep_their_types(self):
        line = FeeLineFactory(amount=Decimal("12.30"))

        [row] = LINES.rows(setl_id=line.settlement_id)

        assert (row["amount"], str(row["amount"])) == (Decimal("12.30"), "12.30")
        assert row["occurred_at"] == FeeLine.objects.get().occurred_at
        assert row["occurred_at"].tzinfo is not None

    def test_one_query_and_the_parameters_bound_not_inlined(self):
        line = FeeLineFactory()
        LINES.rows(setl_id=line.settlement_id)

        with CaptureQueriesContext(connection) as queries:
            rows = LINES.rows(setl_id="x' OR '1'='1")

        assert rows == []
        assert len(queries) == 1

    def test_a_parameter_the_query_changes_is_refused(self):
        shifted = CompiledValues(
            lambda setl_id: Settlement.objects.filter(setl_id__startswith=setl_id).values(),
            "setl_id",
        )

        with pytest.raises(ValueError, match="not passed as it is"):
            shifted.rows(setl_id="S")


@pytest.mark.django_db
class TestCompiledList:
    def _listed(self, setl_id):
        return CompiledList(LINES, COUNT, page_size=3, setl_id=setl_id)

    def test_windows_and_the_count_are_the_querysets(self):
        settlement = SettlementFactory()
        FeeLineFactory.create_batch(5, settlement=settlement)
        listed = self._listed(settlement.setl_id)

        assert listed.count() == 5
        assert self._listed("NONE").count() == 0
        assert listed[0:3] == list(_lines(settlement.setl_id)[0:3])
        assert listed[3:5] == list(_lines(settlement.setl_id)[3:5])
        assert listed[:2] == list(_lines(settlement.setl_id)[:2])

    def test_a_window_longer_than_a_page_is_refused(self):
        with pytest.raises(TypeError):
            self._listed("S")[0:4]


COUNT = CompiledValues(lambda setl_id: counted(_lines(setl_id)), "setl_id")


@pytest.mark.django_db
def test_a_submissions_lookups_read_what_the_orm_reads():
    from medins.models import Person
    from settlement.selectors import encounter_settled, person_by_number

    settlement = SettlementFactory()
    person = person_by_number(settlement.person_id)

    assert person == Person.objects.get(pk=settlement.person_id)
    assert vars(person) | {"_state": None} == vars(Person.objects.get()) | {"_state": None}
    assert not person._state.adding
    assert person_by_number("NO-SUCH-PERSON") is None
    assert encounter_settled(settlement.encounter_id)
    assert not encounter_settled("NO-SUCH-ENCOUNTER")

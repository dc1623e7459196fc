"""The hot reads' bodies, made from .values() rows, are what the output serializers make of the
model instances (settlement/api/bodies.py); a short first page counts itself."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers as drf

from screening.audit import services as audit
from screening.audit.selectors.flags import flags_for_institution
from settlement import selectors
from settlement.api import bodies, serializers
from settlement.api.hospital import CASE_LINK, FlagListView, FlagOutputSerializer
from settlement.api.pagination import ShortListPaginator
from settlement.models import Settlement
from tests.api.conftest import encounter, line
from tests.audit.conftest import AT, make_flag
from tests.factories import DiagnosisFactory, FeeLineFactory, SettlementFactory, make_user

SETTLEMENTS = "/api/v1/settlements/"


def _submitted(world, number: str) -> str:
    payload = encounter(number, line(f"{number}-1"), line(f"{number}-2", cnt="2"))
    return world.hospital.post(SETTLEMENTS, payload, format="json").json()["setl_id"]


@pytest.fixture
def settlements(world) -> list[str]:
    """Submitted ones (one reversed, so a link each way) and an imported one: no breakdown,
    a diagnosis, a line with days of supply and one without."""
    reversed_id = _submitted(world, "MD0001")
    reversal_id = world.hospital.post(f"{SETTLEMENTS}{reversed_id}/reverse/").json()["setl_id"]
    imported = SettlementFactory(institution=world.qilu, person=world.person)
    DiagnosisFactory(settlement=imported, rank=2, code="E11.900")
    DiagnosisFactory(settlement=imported, rank=1, code="I10.x00")
    FeeLineFactory(settlement=imported, supply_days=7, amount=Decimal("-3.50"))
    FeeLineFactory(settlement=imported, supply_days=None)
    return [reversed_id, reversal_id, _submitted(world, "MD0002"), imported.setl_id]


class TestTheBodiesAreTheSerializers:
    def test_a_settlement_read_whole(self, world, settlements):
        for setl_id in settlements:
            settlement = selectors.settlement_for_institution(
                institution=world.qilu, setl_id=setl_id
            )
            row = selectors.settlement_row_for_institution(institution=world.qilu, setl_id=setl_id)

            body = bodies.SETTLEMENT.write(row)

            assert body == serializers.SettlementOutputSerializer(settlement).data
            assert list(body) == list(serializers.SettlementOutputSerializer(settlement).data)

    def test_a_settlement_outside_the_institution_is_not_read(self, world, settlements):
        with pytest.raises(Settlement.DoesNotExist):
            selectors.settlement_row_for_institution(
                institution=world.qingdao, setl_id=settlements[0]
            )

    def test_the_list(self, world, settlements):
        listed = selectors.settlements_for_institution(institution=world.qilu)

        written = bodies.SUMMARY.write_all(selectors.settlement_values(listed))

        assert written == serializers.SettlementSummarySerializer(listed, many=True).data

    def test_the_flags_in_a_case_and_not(self, world):
        flags = [make_flag(world.qilu), make_flag(world.qilu, rule_code="DUP_CHARGE")]
        make_flag(world.qilu, rule_code="NO_SUCH_RULE")
        audit.case_open(
            user=make_user("auditor", region_code="3701"), flag_ids=[flags[0].pk], at=AT
        )

        found = flags_for_institution(world.qilu).select_related("case_link__case")

        written = FlagListView.rows.write_all(found.values(*FlagListView.rows.sources, *CASE_LINK))

        assert written == FlagOutputSerializer(found, many=True).data
        assert [row["case_id"] is not None for row in written].count(True) == 1

    def test_the_answer_to_a_submission_is_the_read_of_it(self, world):
        created = world.hospital.post(
            SETTLEMENTS, encounter("MD0003", line("MD0003-1", cnt="2")), format="json"
        ).json()
        settlement = selectors.settlement_for_institution(
            institution=world.qilu, setl_id=created["setl_id"]
        )

        assert created == serializers.SettlementOutputSerializer(settlement).data


class _Values(drf.Serializer):
    amount = drf.DecimalField(max_digits=14, decimal_places=2)
    quantity = drf.DecimalField(max_digits=14, decimal_places=4)
    at = drf.DateTimeField(format="%Y-%m-%d %H:%M:%S")
    iso = drf.DateTimeField()
    text = drf.CharField()
    number = drf.IntegerField()
    choice = drf.ChoiceField(choices=["1", "2"])


class TestTheDirectWritersAreTheFields:
    """Each value as the field's own to_representation writes it, awkward values too."""

    @pytest.mark.parametrize(
        "values",
        [
            {"amount": Decimal("1.005"), "quantity": Decimal("-2"), "number": "7"},
            {"amount": Decimal("-0.004"), "quantity": 3, "number": 2.0},
            {"amount": 12.5, "quantity": "0.00005", "text": 12},
            {"amount": "7", "quantity": Decimal("1E+3"), "text": ""},
            {
                "at": datetime(2026, 1, 1, 0, 30, tzinfo=UTC),
                "iso": datetime(2026, 1, 1, tzinfo=UTC),
            },
            {"at": datetime(2026, 6, 30, 23, 59, 59, tzinfo=ZoneInfo("America/New_York"))},
            {"at": datetime(2026, 1, 1, 12, 0)},  # naive: made aware in the current zone
            {"at": "2026-01-01 08:00:00", "choice": 2},
        ],
    )
    def test_awkward_values(self, values):
        row = {
            "amount": Decimal("0.00"),
            "quantity": Decimal("0.0000"),
            "at": timezone.now(),
            "iso": timezone.now(),
            "text": "甲",
            "number": 1,
            "choice": "1",
            **values,
        }
        fields = _Values().fields

        written = bodies.Rows(_Values).write(row)

        assert written == {name: fields[name].to_representation(row[name]) for name in row}

    def test_another_time_zone_in_force(self):
        row = {"at": datetime(2026, 1, 1, 20, tzinfo=UTC)}

        class Moment(drf.Serializer):
            at = drf.DateTimeField(format="%Y-%m-%d %H:%M:%S")

        with timezone.override(ZoneInfo("Europe/Berlin")):
            written = bodies.Rows(Moment).write(row)

        assert written == {"at": "2026-01-01 21:00:00"}

    def test_a_method_field_left_uncomputed_is_refused(self):
        with pytest.raises(TypeError, match="refd_setl_flag"):
            bodies.Rows(serializers.SettlementSummarySerializer).write({})


class TestShortListPaginator:
    def test_a_first_page_with_room_to_spare_counts_itself(self, world, settlements):
        rows = selectors.settlement_values(
            selectors.settlements_for_institution(institution=world.qilu)
        )

        with CaptureQueriesContext(connection) as queries:
            paginator = ShortListPaginator(rows, 50)
            page = paginator.page("1")

        assert len(queries) == 1
        assert (paginator.count, paginator.num_pages, len(page), page.has_next()) == (
            4,
            1,
            4,
            False,
        )

    def test_a_full_first_page_and_later_pages_are_counted(self, world, settlements):
        rows = selectors.settlement_values(
            selectors.settlements_for_institution(institution=world.qilu)
        )

        first = ShortListPaginator(rows, 2).page("1")
        last = ShortListPaginator(rows, 3).page("2")
        exact = ShortListPaginator(rows, 4).page(1)

        assert (first.paginator.count, len(first), first.has_next()) == (4, 2, True)
        assert (last.paginator.count, len(last), last.has_previous()) == (4, 1, True)
        assert (exact.paginator.count, len(exact), exact.has_next()) == (4, 4, False)

    def test_an_empty_list_is_one_empty_page(self, world):
        rows = selectors.settlement_values(
            selectors.settlements_for_institution(institution=world.qingdao)
        )

        page = ShortListPaginator(rows, 50).page("1")

        assert (page.paginator.count, page.paginator.num_pages, list(page)) == (0, 1, [])

    def test_the_api_pages_as_before(self, world, settlements):
        first = world.hospital.get(SETTLEMENTS, {"page": "1"}).json()
        beyond = world.hospital.get(SETTLEMENTS, {"page": "2"})

        assert (first["count"], first["next"], first["previous"]) == (4, None, None)
        assert beyond.status_code == 404


class TestTheCompiledListsAreTheQuerysets:
    """Unfiltered, the settlement list and the flag list page compiled queries (CompiledList):
    the same pages, counts and links as the serializers over the selectors' querysets."""

    def test_every_page_of_the_settlement_list(self, world):
        SettlementFactory.create_batch(53, institution=world.qilu, person=world.person)
        SettlementFactory(institution=world.qingdao)
        listed = selectors.settlements_for_institution(institution=world.qilu)

        first = world.hospital.get(SETTLEMENTS).json()
        second = world.hospital.get(SETTLEMENTS, {"page": "2"}).json()
        beyond = world.hospital.get(SETTLEMENTS, {"page": "3"})

        summary = serializers.SettlementSummarySerializer
        assert first["results"] == summary(listed[:50], many=True).data
        assert second["results"] == summary(listed[50:], many=True).data
        assert (first["count"], first["next"], first["previous"]) == (
            53,
            "http://testserver/api/v1/settlements/?page=2",
            None,
        )
        assert (second["next"], second["previous"]) == (
            None,
            "http://testserver/api/v1/settlements/",
        )
        assert beyond.status_code == 404

    def test_a_filtered_list_is_the_querysets_too(self, world, settlements):
        found = world.hospital.get(SETTLEMENTS, {"refd_setl_flag": "1"}).json()

        assert [row["setl_id"] for row in found["results"]] == [settlements[1]]

    def test_the_flag_list(self, world):
        flags = [make_flag(world.qilu), make_flag(world.qilu, rule_code="DUP_CHARGE")]
        make_flag(world.qingdao)
        audit.case_open(
            user=make_user("auditor", region_code="3701"), flag_ids=[flags[1].pk], at=AT
        )
        found = flags_for_institution(world.qilu).select_related("case_link__case")

        body = world.hospital.get("/api/v1/flags/").json()

        assert body["results"] == FlagOutputSerializer(found, many=True).data
        assert (body["count"], body["next"], body["previous"]) == (2, None, None)

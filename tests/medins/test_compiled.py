"""Queries compiled once (medins.compiled) give what the querysets themselves give."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from medins.compiled import CompiledList, CompiledValues, counted
from medins.models import Role
from settlement.models import FeeLine, Settlement
from tests.factories import FeeLineFactory, SettlementFactory, make_user


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


@pytest.mark.django_db
class TestSessionUser:
    """The back office's user of every request, compiled (medins.security.session_user)."""

    def test_the_user_and_profile_are_the_orms(self):
        from django.contrib.auth.models import User

        from medins.security import session_user

        user = make_user(Role.AUDITOR, region_code="3701")

        found = session_user(user.pk)

        expected = User.objects.select_related("profile").get(pk=user.pk)
        assert vars(found) | {"_state": None} == vars(expected) | {"_state": None}
        with CaptureQueriesContext(connection) as queries:
            profile = found.profile
            assert profile.user is found
        assert len(queries) == 0
        assert vars(profile) | {"_state": None} == vars(expected.profile) | {"_state": None}
        assert not found._state.adding
        assert not profile._state.adding

    def test_a_user_without_a_profile_has_none_and_asks_nothing_for_it(self):
        from django.contrib.auth.models import User

        from medins.security import session_user

        user = User.objects.create_user("plain")

        found = session_user(user.pk)

        assert found == user
        with CaptureQueriesContext(connection) as queries:
            assert not hasattr(found, "profile")
        assert len(queries) == 0
        assert session_user(user.pk + 1000) is None

    def test_the_session_finds_its_user_in_one_query(self, client):
        user = make_user(Role.ADMIN)
        client.force_login(user)

        with CaptureQueriesContext(connection) as queries:
            response = client.get("/")

        assert response.status_code == 200
        users = [query for query in queries if '"auth_user"' in query["sql"].split("WHERE")[0]]
        assert len(users) == 1


@pytest.mark.django_db
class TestLists:
    """A list parameter (field__any): one array parameter on PostgreSQL, IN elsewhere."""

    def test_any_is_in(self):
        lines = FeeLineFactory.create_batch(4)
        wanted = [lines[0].line_id, lines[2].line_id, "NO-SUCH-LINE"]

        def ids(lookup: str, values: list[str]) -> list[str]:
            found = FeeLine.objects.filter(**{f"line_id__{lookup}": values})
            return sorted(found.values_list("line_id", flat=True))

        assert ids("any", wanted) == ids("in", wanted) == sorted(wanted[:2])
        assert ids("any", []) == []

    def test_compiled_rows_take_lists_of_any_length(self):
        lines = FeeLineFactory.create_batch(5)
        compiled = CompiledValues(
            lambda ids: FeeLine.objects.filter(line_id__any=ids).order_by("line_id").values(),
            "ids",
            lists=("ids",),
        )

        for wanted in ([], [lines[1].line_id], [line.line_id for line in lines[::2]], ["x'"]):
            expected = list(FeeLine.objects.filter(line_id__in=wanted).order_by("line_id").values())
            assert compiled.rows(ids=wanted) == expected

    def test_one_array_parameter_on_postgresql(self):
        compiled = CompiledValues(
            lambda ids: FeeLine.objects.filter(line_id__any=ids).values("line_id"),
            "ids",
            lists=("ids",),
        )
        compiled.rows(ids=["A"])

        with CaptureQueriesContext(connection) as queries:
            compiled.rows(ids=["A", "B", "C"])

        [query] = queries
        if connection.vendor == "postgresql":
            assert "= ANY(" in query["sql"]
        else:
            assert "IN (" in query["sql"]


@pytest.mark.django_db
def test_a_submissions_catalog_versions_are_the_orms():
    from medins.models import CatalogItem
    from settlement.api.encounters import catalog_versions
    from tests.factories import CatalogItemFactory

    first = CatalogItemFactory(
        code="X1", effective_from=date(2025, 1, 1), effective_to=date(2026, 1, 1)
    )
    CatalogItemFactory(code="X1", effective_from=date(2026, 1, 1))
    CatalogItemFactory(code="X2")

    versions = catalog_versions({"X1", "NONE"})

    expected = list(CatalogItem.objects.filter(code="X1"))
    assert [vars(item) | {"_state": None} for item in versions["X1"]] == [
        vars(item) | {"_state": None} for item in expected
    ]
    assert versions["X1"][0] == first
    assert set(versions) == {"X1"}
